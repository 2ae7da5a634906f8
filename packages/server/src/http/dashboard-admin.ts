import { ValidationError, zodIssues } from '@vecron/sdk';
import type { DashboardAdmin, DashboardAdminUser, DashboardAdminWebhook, DashboardUser } from '@vecron/dashboard';
import { z } from 'zod';
import type { Permission } from '../auth/permissions.js';
import { newPasswordSchema, roleNamesSchema, userAdmin, userCreateSchema } from '../auth/user-admin.js';
import type { Principal, UserView } from '../store/server-store.js';
import { webhookAdmin } from '../webhooks/webhook-admin.js';
import type { WebhookView } from '../webhooks/webhook-store.js';
import { forbidden, unauthenticated } from './api-error.js';
import type { ApiDeps } from './deps.js';

/** Validates a dashboard form value with the API's schema; its problems name the field. */
function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw new ValidationError(what, zodIssues(r.error));
  return r.data;
}

const userOf = (u: UserView): DashboardAdminUser => ({
  id: u.id, username: u.username, displayName: u.display_name, disabled: u.disabled, mustChangePassword: u.must_change_password, roles: u.roles, createdAt: new Date(u.created_at),
});

/**
 * The server's side of the dashboard's administration pages (`DashboardAdmin`): the same
 * functions as the REST routes (`auth/user-admin.ts`, `webhooks/webhook-admin.ts`, the audit log),
 * with the signed-in user resolved again from the database and each method checking the
 * permission its REST route declares. The dashboard sends every change to the audit log itself
 * (`onAction`), so nothing here writes one.
 */
export function dashboardAdmin(d: ApiDeps): DashboardAdmin {
  const users = userAdmin(d.store);
  const hooks = webhookAdmin(d);
  /** The caller as the API would see them, refused without the permission. */
  const caller = async (actor: DashboardUser, permission: Permission): Promise<Principal> => {
    const p = await d.store.principal(actor.id);
    if (!p || p.disabled) throw unauthenticated();
    if (!p.permissions.has(permission)) throw forbidden(`missing permission ${permission}`, { permission });
    return p;
  };
  const webhookOf = (w: WebhookView): DashboardAdminWebhook => ({
    id: w.id, jobId: w.job_id, url: hooks.url(w.id), createdAt: new Date(w.created_at),
    activeSecrets: w.secrets.filter((s) => !s.expires_at || new Date(s.expires_at) > d.now()).length,
  });
  const withSecret = (r: { webhook: WebhookView; secret: string }) => ({ webhook: webhookOf(r.webhook), secret: r.secret, sample: hooks.callerSample(r.webhook.id, r.secret) });
  return {
    async listUsers(actor, page) {
      await caller(actor, 'user:manage');
      return (await d.store.listUsers(page.limit, page.offset)).map(userOf);
    },
    async createUser(actor, input) {
      const p = await caller(actor, 'user:manage');
      const body = parse(userCreateSchema, { username: input.username, password: input.password, display_name: input.displayName, roles: input.roles, must_change_password: true }, 'user');
      return userOf(await users.create(p, body));
    },
    async setRoles(actor, userId, roles) {
      return userOf(await users.setRoles(await caller(actor, 'role:assign'), userId, parse(roleNamesSchema, roles, 'roles')));
    },
    async setDisabled(actor, userId, disabled) {
      return userOf(await users.update(await caller(actor, 'user:manage'), userId, { disabled }));
    },
    async resetPassword(actor, userId, password) {
      const p = await caller(actor, 'user:manage');
      return userOf(await users.update(p, userId, { password: parse(z.object({ password: newPasswordSchema }), { password }, 'user').password, must_change_password: true }));
    },
    async listRoles(actor) {
      await caller(actor, 'role:assign');
      return (await d.store.listRoles()).map((r) => ({ name: r.name, description: r.description, permissions: [...r.permissions], executionScope: r.execution_scope, builtIn: r.builtin }));
    },
    async listWebhooks(actor, page) {
      await caller(actor, 'webhook:read');
      return (await d.webhooks.list(undefined, page.limit, page.offset)).map(webhookOf);
    },
    async createWebhook(actor, jobId) {
      const p = await caller(actor, 'webhook:write');
      return withSecret(await hooks.create(jobId, p.id));
    },
    async rotateWebhook(actor, webhookId) {
      await caller(actor, 'webhook:write');
      return withSecret(await hooks.rotate(webhookId));
    },
    async deleteWebhook(actor, webhookId) {
      await caller(actor, 'webhook:write');
      await hooks.remove(webhookId);
    },
    async listAudit(actor, f) {
      await caller(actor, 'system:audit');
      const rows = await d.audit.list({
        ...(f.actor ? { actor: f.actor } : {}), ...(f.action ? { action: f.action } : {}), ...(f.resource ? { resource: f.resource } : {}),
        ...(f.from ? { from: f.from } : {}), ...(f.to ? { to: f.to } : {}), limit: f.limit, offset: f.offset,
      });
      return rows.map((r) => ({ seq: r.seq, at: new Date(r.at), actor: r.actor, action: r.action, resource: r.resource, ip: r.ip, result: r.result, details: r.details }));
    },
    async verifyAudit(actor) {
      await caller(actor, 'system:audit');
      const v = await d.audit.verify();
      return { ok: v.ok, checked: v.checked, firstBadSeq: v.first_bad_seq, reason: v.reason };
    },
  };
}
