import type { Request, Response, Router } from 'express';
import { NotFoundError, toErrorRecord, ValidationError } from '@vecron/sdk';
import type { DashboardAdmin } from '../admin-port.js';
import { startOfLocalDay } from '../data.js';
import { html } from '../html.js';
import type { SafeHtml } from '../html.js';
import type { Kit } from '../kit.js';
import { HttpProblem, isHtmx, pageOf, str, UUID } from '../kit.js';
import type { DashboardActionRecord, DashboardUser } from '../options.js';
import { ADMIN_TABS, adminTabs, auditFilters, auditTable, auditVerification, rolesTable, userForm, usersTable, webhookForm, webhookSecretPanel, webhooksTable } from '../views/admin.js';
import { pager } from '../views/components.js';

const PAGE = 50;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const text = (body: unknown, k: string, max: number): string => {
  const v = (body as Record<string, unknown> | undefined)?.[k];
  return typeof v === 'string' ? v.trim().slice(0, max) : '';
};
const listOf = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' && v !== '' ? [v] : []);

/** What the administration routes share: the kit, the host's port, the acting user and an audited runner. */
interface AdminContext {
  kit: Kit;
  admin: DashboardAdmin;
  /** The signed-in user (an open dashboard acts as `dashboard`). */
  actor(res: Response): DashboardUser;
  /** Runs a change and audits it either way (failures with their error code). */
  audited<T>(req: Request, res: Response, rec: Pick<DashboardActionRecord, 'action' | 'resource'> & { details?: Record<string, unknown> }, run: () => Promise<T>): Promise<T>;
}

/**
 * `/admin/users`, `/admin/webhooks`, `/admin/audit`: the host's administration through its
 * {@link DashboardAdmin} port. Each page and action needs its permission here, and the host
 * refuses again what the signed-in user may not do (grants never exceeding the granter, …).
 */
export function adminRoutes(router: Router, kit: Kit, admin: DashboardAdmin): void {
  const { state, audit } = kit;
  const ctx: AdminContext = {
    kit,
    admin,
    actor: (res) => state(res).user ?? { id: 'dashboard', name: 'dashboard' },
    async audited(req, res, rec, run) {
      try {
        const r = await run();
        await audit(req, res, { ...rec, result: 'ok', details: rec.details ?? {} });
        return r;
      } catch (err) {
        await audit(req, res, { ...rec, result: err instanceof HttpProblem ? 'FORBIDDEN' : toErrorRecord(err).code, details: rec.details ?? {} });
        throw err;
      }
    },
  };

  router.get('/admin', (_req, res) => {
    const first = ADMIN_TABS.find((t) => state(res).allowed.has(t.permission));
    if (!first) throw new HttpProblem(403, state(res).view.t('error.forbidden', { permission: ADMIN_TABS.map((t) => t.permission).join(' | ') }));
    res.redirect(303, state(res).view.url(`/admin/${first.tab}`));
  });
  userRoutes(router, ctx);
  webhookRoutes(router, ctx);
  auditRoutes(router, ctx);
}

const userId = (req: Request): string => {
  const id = String(req.params.id ?? '');
  if (!UUID.test(id)) throw new NotFoundError('user', id);
  return id;
};

/** Users and roles. */
function userRoutes(router: Router, { kit, admin, actor, audited }: AdminContext): void {
  const { state, need, mutating, afterAction } = kit;
  router.get('/admin/users', async (req, res) => {
    need(res, 'user:manage');
    const v = state(res).view;
    const pageNo = pageOf(req);
    const [list, roles] = await Promise.all([
      admin.listUsers(actor(res), { limit: PAGE + 1, offset: (pageNo - 1) * PAGE }),
      v.can('role:assign') ? admin.listRoles(actor(res)) : Promise.resolve(null),
    ]);
    const table = usersTable(v, list.slice(0, PAGE), roles, v.url('/admin/users', { page: pageNo > 1 ? pageNo : undefined, region: 1 }));
    if (req.query.region === '1' && isHtmx(req)) return kit.send(req, res, table);
    await kit.page(req, res, {
      title: v.t('admin.tab.users'), section: 'admin',
      body: html`<div class="page-head"><h1>${v.t('admin.tab.users')}</h1></div>${adminTabs(v, 'users')}
${table}${pager(v, { path: '/admin/users', query: {}, page: pageNo, hasMore: list.length > PAGE })}
${userForm(v, roles)}
${roles ? rolesTable(v, roles) : ''}`,
    });
  });

  router.post('/admin/users', mutating('user:manage'), async (req, res) => {
    const username = text(req.body, 'username', 200);
    const roles = listOf(req.body?.roles);
    if (roles.length) need(res, 'role:assign');
    const password = typeof req.body?.password === 'string' ? (req.body.password as string) : '';
    const u = await audited(req, res, { action: 'user.create', resource: null, details: { username_created: username, roles } }, () =>
      admin.createUser(actor(res), { username, password, displayName: text(req.body, 'display_name', 200) || null, roles }));
    await afterAction(req, res, state(res).view.t('admin.users.created', { name: u.username }));
  });

  router.post('/admin/users/:id/roles', mutating('role:assign'), async (req, res) => {
    const id = userId(req);
    const roles = listOf(req.body?.roles);
    const u = await audited(req, res, { action: 'user.roles', resource: `user:${id}`, details: { roles } }, () => admin.setRoles(actor(res), id, roles));
    await afterAction(req, res, state(res).view.t('admin.users.rolesSaved', { name: u.username }));
  });

  for (const disabled of [true, false]) {
    router.post(`/admin/users/:id/${disabled ? 'disable' : 'enable'}`, mutating('user:manage'), async (req, res) => {
      const id = userId(req);
      const u = await audited(req, res, { action: disabled ? 'user.disable' : 'user.enable', resource: `user:${id}` }, () => admin.setDisabled(actor(res), id, disabled));
      await afterAction(req, res, state(res).view.t(disabled ? 'admin.users.disabledDone' : 'admin.users.enabledDone', { name: u.username }));
    });
  }

  router.post('/admin/users/:id/password', mutating('user:manage'), async (req, res) => {
    const id = userId(req);
    const password = typeof req.body?.password === 'string' ? (req.body.password as string) : '';
    const u = await audited(req, res, { action: 'user.password_reset', resource: `user:${id}` }, () => admin.resetPassword(actor(res), id, password));
    await afterAction(req, res, state(res).view.t('admin.users.passwordSet', { name: u.username }));
  });

}

/** Webhooks: their secrets are shown once. */
function webhookRoutes(router: Router, { kit, admin, actor, audited }: AdminContext): void {
  const { cron, state, need, mutating, afterAction } = kit;
  const webhookId = (req: Request): string => {
    const id = String(req.params.id ?? '');
    if (!UUID.test(id)) throw new NotFoundError('webhook', id);
    return id;
  };
  /** The secret is shown once: in the flash area (htmx) or on a page of its own (plain form). */
  const showSecret = async (req: Request, res: Response, panel: SafeHtml, message: string): Promise<void> => {
    const v = state(res).view;
    if (isHtmx(req)) {
      res.setHeader('hx-trigger', 'vecron-refresh');
      await kit.send(req, res, html`<div class="flash flash-ok" role="status">${message}</div>${panel}`);
      return;
    }
    await kit.page(req, res, { title: v.t('admin.tab.webhooks'), section: 'admin', body: html`<div class="page-head"><h1>${message}</h1><a href="${v.url('/admin/webhooks')}">${v.t('admin.webhooks.back')}</a></div>${panel}` });
  };

  router.get('/admin/webhooks', async (req, res) => {
    need(res, 'webhook:read');
    const v = state(res).view;
    const pageNo = pageOf(req);
    const list = await admin.listWebhooks(actor(res), { limit: PAGE + 1, offset: (pageNo - 1) * PAGE });
    const names = new Map<string, string | null>();
    for (const id of new Set(list.map((w) => w.jobId))) names.set(id, (await cron.jobs.get(id))?.name ?? null);
    const table = webhooksTable(v, list.slice(0, PAGE).map((w) => ({ ...w, jobName: names.get(w.jobId) ?? null })), v.url('/admin/webhooks', { page: pageNo > 1 ? pageNo : undefined, region: 1 }));
    if (req.query.region === '1' && isHtmx(req)) return kit.send(req, res, table);
    await kit.page(req, res, {
      title: v.t('admin.tab.webhooks'), section: 'admin',
      body: html`<div class="page-head"><h1>${v.t('admin.tab.webhooks')}</h1><span class="muted">${v.t('admin.webhooks.intro')}</span></div>${adminTabs(v, 'webhooks')}
${table}${pager(v, { path: '/admin/webhooks', query: {}, page: pageNo, hasMore: list.length > PAGE })}
${webhookForm(v)}`,
    });
  });

  router.post('/admin/webhooks', mutating('webhook:write'), async (req, res) => {
    const v = state(res).view;
    const ref = text(req.body, 'job', 200);
    if (!ref) throw new ValidationError('webhook', [{ path: '$.job', message: 'is required (a job id or name)' }]);
    const job = UUID.test(ref) ? await cron.jobs.get(ref) : (await cron.jobs.list({ search: ref, limit: 50 })).find((j) => j.name === ref) ?? null;
    if (!job) throw new NotFoundError('job', ref);
    const s = await audited(req, res, { action: 'webhook.create', resource: `job:${job.id}` }, () => admin.createWebhook(actor(res), job.id));
    await showSecret(req, res, webhookSecretPanel(v, s), v.t('admin.webhooks.created', { name: job.name }));
  });

  router.post('/admin/webhooks/:id/rotate', mutating('webhook:write'), async (req, res) => {
    const v = state(res).view;
    const id = webhookId(req);
    const s = await audited(req, res, { action: 'webhook.rotate', resource: `webhook:${id}` }, () => admin.rotateWebhook(actor(res), id));
    await showSecret(req, res, webhookSecretPanel(v, s), v.t('admin.webhooks.rotated'));
  });

  router.post('/admin/webhooks/:id/delete', mutating('webhook:write'), async (req, res) => {
    const id = webhookId(req);
    await audited(req, res, { action: 'webhook.delete', resource: `webhook:${id}` }, () => admin.deleteWebhook(actor(res), id));
    await afterAction(req, res, state(res).view.t('admin.webhooks.deleted'));
  });

}

/** The audit log, filtered, and the verification of its chain when the host offers it. */
function auditRoutes(router: Router, { kit, admin, actor }: AdminContext): void {
  const { state, need } = kit;
  router.get('/admin/audit', async (req, res) => {
    need(res, 'system:audit');
    const v = state(res).view;
    const pageNo = pageOf(req);
    const q = {
      actor: str(req.query.actor)?.trim().slice(0, 100) || undefined,
      action: str(req.query.action)?.trim().slice(0, 100) || undefined,
      resource: str(req.query.resource)?.trim().slice(0, 200) || undefined,
      from: ISO_DATE.test(str(req.query.from) ?? '') ? str(req.query.from) : undefined,
      to: ISO_DATE.test(str(req.query.to) ?? '') ? str(req.query.to) : undefined,
    };
    const records = await admin.listAudit(actor(res), {
      ...(q.actor ? { actor: q.actor } : {}), ...(q.action ? { action: q.action } : {}), ...(q.resource ? { resource: q.resource } : {}),
      ...(q.from ? { from: startOfLocalDay(q.from, 0, kit.timeZone) } : {}), ...(q.to ? { to: startOfLocalDay(q.to, 1, kit.timeZone) } : {}),
      limit: PAGE + 1, offset: (pageNo - 1) * PAGE,
    });
    const verification = req.query.verify === '1' && admin.verifyAudit ? await admin.verifyAudit(actor(res)) : null;
    const query = Object.fromEntries(Object.entries(q).filter(([, x]) => x !== undefined)) as Record<string, string>;
    await kit.page(req, res, {
      title: v.t('admin.tab.audit'), section: 'admin',
      body: html`<div class="page-head"><h1>${v.t('admin.tab.audit')}</h1>${admin.verifyAudit ? html`<a class="btn" href="${v.url('/admin/audit', { ...query, verify: 1 })}" data-testid="audit-verify">${v.t('admin.audit.verify')}</a>` : ''}</div>${adminTabs(v, 'audit')}
${verification ? auditVerification(v, verification) : ''}
${auditFilters(v, q)}
${auditTable(v, records.slice(0, PAGE))}${pager(v, { path: '/admin/audit', query, page: pageNo, hasMore: records.length > PAGE })}`,
    });
  });
}
