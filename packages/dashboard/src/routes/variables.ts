import type { Router } from 'express';
import { encryptPermissionReason, NotFoundError, ValidationError } from '@vecron/sdk';
import { html } from '../html.js';
import type { Kit } from '../kit.js';
import { isHtmx, str, UUID } from '../kit.js';
import { variableForm, variablesTable } from '../views/variables.js';
import type { VariableRow } from '../views/variables.js';

/** Largest variable value the form takes (the REST API's limit). */
const MAX_VALUE = 65_536;

/**
 * `/variables`: global and job-scoped variables (sensitive values masked by the SDK), create or
 * replace, delete. Sensitive ones need `variable:encrypt` to create, replace, downgrade or delete,
 * the same rule as the REST API (`encryptPermissionReason`).
 */
export function variableRoutes(router: Router, kit: Kit): void {
  const { cron, state, need, mutating, audit, afterAction } = kit;

  /** `?job=` as a job the caller can name, or null (all scopes). */
  const jobOf = async (value: unknown): Promise<{ id: string; name: string } | null> => {
    const id = str(value);
    if (!id) return null;
    const job = UUID.test(id) ? await cron.jobs.get(id) : null;
    if (!job) throw new NotFoundError('job', id);
    return { id: job.id, name: job.name };
  };

  const rowsOf = async (job: { id: string } | null): Promise<VariableRow[]> => {
    const list = job ? [...(await cron.variables.list(null)), ...(await cron.variables.list(job.id))] : await cron.variables.list(undefined);
    const names = new Map<string, string | null>();
    for (const id of new Set(list.flatMap((x) => (x.jobId ? [x.jobId] : [])))) names.set(id, (await cron.jobs.get(id))?.name ?? null);
    return list
      .map((x) => ({ ...x, jobName: x.jobId ? (names.get(x.jobId) ?? null) : null }))
      .sort((a, b) => (a.jobId ?? '').localeCompare(b.jobId ?? '') || a.name.localeCompare(b.name));
  };

  router.get('/variables', async (req, res) => {
    need(res, 'variable:read');
    const v = state(res).view;
    const job = await jobOf(req.query.job);
    const regionUrl = v.url('/variables', { job: job?.id, region: 1 });
    const table = variablesTable(v, await rowsOf(job), regionUrl);
    if (req.query.region === '1' && isHtmx(req)) {
      await kit.send(req, res, table);
      return;
    }
    await kit.page(req, res, {
      title: v.t('variables.title'), section: 'variables',
      body: html`<div class="page-head"><h1>${v.t('variables.title')}</h1><span class="muted">${job ? v.t('variables.forJob', { name: job.name }) : v.t('variables.intro')}</span></div>
${table}
${variableForm(v, job)}`,
    });
  });

  router.post('/variables', mutating('variable:write'), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const name = typeof body.name === 'string' ? body.name.trim() : '';
    const value = typeof body.value === 'string' ? body.value : '';
    const sensitive = body.sensitive === '1';
    if (value.length > MAX_VALUE) throw new ValidationError('variable', [{ path: '$.value', message: `must be at most ${MAX_VALUE} characters` }]);
    const job = await jobOf(body.job_id);
    const jobId = job?.id ?? null;
    const resource = `variable:${jobId ?? 'global'}:${name}`;
    const existing = (await cron.variables.list(jobId)).find((x) => x.name === name && x.jobId === jobId);
    if (encryptPermissionReason(existing, { sensitive })) need(res, 'variable:encrypt');
    try {
      await cron.variables.set({ name, value, sensitive, jobId });
    } catch (err) {
      await audit(req, res, { action: 'variable.set', resource, result: err instanceof ValidationError ? err.code : 'error', details: { sensitive } });
      throw err;
    }
    await audit(req, res, { action: 'variable.set', resource, result: 'ok', details: { sensitive, replaced: existing !== undefined } });
    await afterAction(req, res, state(res).view.t('variables.saved', { name }));
  });

  router.post('/variables/delete', mutating('variable:write'), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const name = typeof body.name === 'string' ? body.name : '';
    const job = await jobOf(body.job_id);
    const jobId = job?.id ?? null;
    const existing = (await cron.variables.list(jobId)).find((x) => x.name === name && x.jobId === jobId);
    if (!existing) throw new NotFoundError('variable', name);
    if (encryptPermissionReason(existing, 'delete')) need(res, 'variable:encrypt');
    await cron.variables.delete(name, jobId);
    await audit(req, res, { action: 'variable.delete', resource: `variable:${jobId ?? 'global'}:${name}`, result: 'ok', details: { sensitive: existing.sensitive } });
    await afterAction(req, res, state(res).view.t('variables.deleted', { name }));
  });
}
