import type { Request, Response, Router } from 'express';
import { ConflictError, toErrorRecord, ValidationError } from '@vecron/sdk';
import type { DashboardData } from '../data.js';
import { html } from '../html.js';
import type { Kit } from '../kit.js';
import { idempotencyKeyOf, UUID } from '../kit.js';
import { shortId } from '../views/components.js';
import { runKeyInput } from '../views/job-editor.js';

/** The payload of "Run with parameters": JSON, or a validation error naming the field. */
function parsePayload(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ValidationError('payload', [{ path: '$.payload', message: `is not valid JSON: ${(err as Error).message}` }]);
  }
}

/** Bulk dead-letter actions act on at most this many per request. */
export const BULK_MAX = 500;

/** The POST actions: run now, enable/disable, stop, replay, discard, bulk replay/discard. Each one audited. */
export function actionRoutes(router: Router, kit: Kit, data: DashboardData): void {
  const { mutating } = kit;
  router.post('/jobs/:id/run', mutating('job:execute'), runJob(kit, data));
  router.post('/jobs/:id/enable', mutating('job:write'), toggle(kit, data, true));
  router.post('/jobs/:id/disable', mutating('job:write'), toggle(kit, data, false));

  router.post('/executions/:id/cancel', mutating('execution:stop'), cancelExecution(kit, data));
  router.post('/executions/:id/replay', mutating('execution:replay'), replayExecution(kit, data));

  router.post('/executions/:id/discard', mutating('execution:replay'), discardExecution(kit, data));

  router.post('/dead-letters/replay', mutating('execution:replay'), bulk(kit, 'replay'));
  router.post('/dead-letters/discard', mutating('execution:replay'), bulk(kit, 'discard'));
}

/** An Express route handler (its rejections reach the error handler). */
type RouteHandler = (req: Request, res: Response) => Promise<void>;

/** Run now, or run with a JSON payload; audited whether it starts or fails. */
function runJob(kit: Kit, data: DashboardData): RouteHandler {
  const { cron, state, audit, afterAction } = kit;
  return async (req, res) => {
    const job = await data.mustGetJob(req);
    const u = state(res).user;
    // "Run with parameters" sends a JSON payload; the plain Run now button sends none.
    const payloadText = typeof req.body?.payload === 'string' ? (req.body.payload as string).trim() : '';
    const payload = payloadText ? parsePayload(payloadText) : undefined;
    try {
      const key = idempotencyKeyOf(req);
      const { executionId, created } = await cron.trigger(job.id, {
        ...(key ? { idempotencyKey: `dashboard:${key}` } : {}), ...(payload !== undefined ? { payload } : {}),
        metadata: { via: 'dashboard', ...(u ? { triggered_by: u.id, triggered_by_username: u.name } : {}) },
      });
      await audit(req, res, { action: 'job.trigger', resource: `job:${job.id}`, result: 'ok', details: { execution_id: executionId, created, with_payload: payload !== undefined } });
      const v = state(res).view;
      // The payload form gets a fresh key for its next run (this one is done; a resend of it stays one execution).
      await afterAction(req, res, html`${v.t('jobs.started', { id: executionId.slice(0, 8) })} <a href="${v.url(`/executions/${executionId}`)}" data-testid="started-execution">${shortId(executionId)}</a>${payloadText ? runKeyInput(true) : ''}`);
    } catch (err) {
      await audit(req, res, { action: 'job.trigger', resource: `job:${job.id}`, result: toErrorRecord(err).code, details: {} });
      throw err;
    }
  };
}

/** Stops a running execution. */
function cancelExecution(kit: Kit, data: DashboardData): RouteHandler {
  const { cron, state, audit, afterAction } = kit;
  return async (req, res) => {
    const e = await data.mustGetExecution(req, res);
    const status = await cron.executions.cancel(e.id);
    await audit(req, res, { action: 'execution.stop', resource: `execution:${e.id}`, result: status ? 'ok' : 'CONFLICT', details: { status } });
    if (!status) throw new ConflictError(`execution is already ${e.status}`);
    await afterAction(req, res, state(res).view.t('execution.cancelled', { status: state(res).view.t(`status.${status}`) }));
  };
}

/** Replays an execution (from its last checkpoint, or from the start). */
function replayExecution(kit: Kit, data: DashboardData): RouteHandler {
  const { cron, state, audit, afterAction } = kit;
  return async (req, res) => {
    const e = await data.mustGetExecution(req, res);
    const fromStart = req.body?.from_start === '1';
    const key = idempotencyKeyOf(req);
    const r = await cron.executions.replay(e.id, { fromStart, ...(key ? { idempotencyKey: `dashboard:${key}` } : {}) });
    await audit(req, res, { action: 'execution.replay', resource: `execution:${e.id}`, result: 'ok', details: { new_execution_id: r.executionId, from_start: fromStart } });
    const v = state(res).view;
    await afterAction(req, res, html`${v.t('execution.replayed', { id: r.executionId.slice(0, 8) })} <a href="${v.url(`/executions/${r.executionId}`)}">${shortId(r.executionId)}</a>`);
  };
}

/** Discards an open dead letter. */
function discardExecution(kit: Kit, data: DashboardData): RouteHandler {
  const { cron, state, audit, afterAction } = kit;
  return async (req, res) => {
    const e = await data.mustGetExecution(req, res);
    const u = state(res).user;
    const ok = await cron.executions.discard(e.id, { by: u?.id ?? null, reason: 'dashboard' });
    await audit(req, res, { action: 'execution.discard', resource: `execution:${e.id}`, result: ok ? 'ok' : 'CONFLICT', details: {} });
    if (!ok) throw new ConflictError(`execution ${e.id} is not an open dead letter`);
    await afterAction(req, res, state(res).view.t('deadLetters.discarded'));
  };
}

/** Enables or disables a job. */
function toggle(kit: Kit, data: DashboardData, enable: boolean): RouteHandler {
  const { cron, state, audit, afterAction, live } = kit;
  return async (req, res) => {
    const job = await data.mustGetJob(req);
    const updated = enable ? await cron.jobs.enable(job.id) : await cron.jobs.disable(job.id);
    await audit(req, res, { action: enable ? 'job.enable' : 'job.disable', resource: `job:${job.id}`, result: 'ok', details: {} });
    live.publish({ type: 'job.updated', jobId: job.id });
    await afterAction(req, res, state(res).view.t(enable ? 'jobs.enabledDone' : 'jobs.disabledDone', { name: updated.name }));
  };
}

/** Every open dead letter of the filter (job), at most BULK_MAX per request, each checked like a single one. */
function bulk(kit: Kit, kind: 'replay' | 'discard'): RouteHandler {
  const { cron, state, audit, afterAction } = kit;
  return async (req, res) => {
    const jobText = typeof req.body?.job === 'string' ? (req.body.job as string) : '';
    const jobId = UUID.test(jobText) ? jobText : undefined;
    const u = state(res).user;
    const key = idempotencyKeyOf(req);
    const items = await cron.executions.list({ status: 'dead_letter', replayed: false, discarded: false, ...(jobId ? { jobId } : {}), ...kit.scopeOf(res), limit: BULK_MAX });
    let done = 0;
    for (const e of items) {
      if (kind === 'replay') {
        const r = await cron.executions.replay(e.id, key ? { idempotencyKey: `dashboard:${key}:${e.id}` } : {});
        if (r.created) done++;
      } else if (await cron.executions.discard(e.id, { by: u?.id ?? null, reason: 'dashboard bulk' })) done++;
    }
    await audit(req, res, { action: kind === 'replay' ? 'dead_letters.replay' : 'dead_letters.discard', resource: jobId ? `job:${jobId}` : null, result: 'ok', details: { count: done, execution_ids: items.map((e) => e.id) } });
    const v = state(res).view;
    await afterAction(req, res, v.t('deadLetters.bulkDone', { action: v.t(kind === 'replay' ? 'deadLetters.replayedN' : 'deadLetters.discardedN'), n: done }));
  };
}
