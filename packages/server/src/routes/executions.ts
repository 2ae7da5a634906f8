import { EXECUTION_STATUSES, TERMINAL_STATUSES } from '@vecron/sdk';
import type { Execution, ExecutionFilter, ExecutionStatus } from '@vecron/sdk';
import { z } from 'zod';
import { ApiError, notFound } from '../http/api-error.js';
import type { ApiDeps } from '../http/deps.js';
import { defineRoute } from '../http/route.js';
import type { Principal } from '../store/server-store.js';

import { executionView, idParam, pagination, stepAttemptView } from './common.js';
import { scrubSecrets } from './scrub.js';

const statusList = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()))
  .pipe(z.array(z.enum(EXECUTION_STATUSES)).min(1));
const listQuery = z
  .object({
    job_id: z.uuid().optional(),
    status: statusList.optional(),
    trigger_source: z.enum(['scheduled', 'manual', 'webhook', 'retry', 'replay']).optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    ...pagination,
  })
  .strict();
const replayBody = z.object({ from_start: z.boolean().default(false) }).strict();

/** The executions a principal may see: all, or only those they triggered. */
export function visibleFilter(p: Principal): Pick<ExecutionFilter, 'triggerMetadata'> {
  return p.seesAllExecutions ? {} : { triggerMetadata: { triggered_by: p.id } };
}

/** True when the principal may see this execution. */
export function canSee(p: Principal, e: Execution): boolean {
  return p.seesAllExecutions || e.triggerMetadata.triggered_by === p.id;
}

/**
 * The execution named by the route's `:id` when the principal may see it; someone else's execution
 * is reported as missing (404), not forbidden: its existence is not theirs to learn.
 */
export async function mustGetVisible(d: ApiDeps, p: Principal, params: Record<string, string>): Promise<Execution> {
  const id = idParam(params, 'execution');
  const e = await d.cron.executions.get(id);
  if (!e || !canSee(p, e)) throw notFound('execution', id);
  return e;
}

/** Executions: list with filters, get with context and step timeline, stop, replay. */
export function executionRoutes(d: ApiDeps) {
  return [
    defineRoute({
      method: 'get', path: '/executions', access: 'execution:read', tag: 'execution', summary: 'List executions (job, status, trigger source, time range, pagination)', query: listQuery,
      async handler(ctx) {
        const q = ctx.query;
        const items = await d.cron.executions.list({
          ...(q.job_id ? { jobId: q.job_id } : {}),
          ...(q.status ? { status: q.status as ExecutionStatus[] } : {}),
          ...(q.trigger_source ? { triggerSource: q.trigger_source } : {}),
          ...(q.from ? { createdFrom: new Date(q.from) } : {}),
          ...(q.to ? { createdTo: new Date(q.to) } : {}),
          ...visibleFilter(ctx.principal!),
          limit: q.limit, offset: q.offset,
        });
        const views = await Promise.all(items.map((e) => scrubSecrets(d, e.jobId, executionView(e))));
        return { body: { items: views, limit: q.limit, offset: q.offset } };
      },
    }),
    defineRoute({
      method: 'get', path: '/executions/:id', access: 'execution:read', tag: 'execution', summary: 'Get an execution with its context and per-step timeline',
      async handler(ctx) {
        const e = await mustGetVisible(d, ctx.principal!, ctx.params);
        const steps = await d.cron.executions.steps(e.id);
        return { body: await scrubSecrets(d, e.jobId, { ...executionView(e, true), timeline: steps.map(stepAttemptView) }) };
      },
    }),
    defineRoute({
      method: 'post', path: '/executions/:id/stop', access: 'execution:stop', action: 'execution.stop', tag: 'execution', summary: 'Cancel a pending execution or ask the running worker to stop it',
      async handler(ctx) {
        const e = await mustGetVisible(d, ctx.principal!, ctx.params);
        if (TERMINAL_STATUSES.has(e.status)) throw new ApiError(409, 'CONFLICT', `execution is already ${e.status}`);
        const status = await d.cron.executions.cancel(e.id);
        return { status: 202, body: { execution_id: e.id, status } };
      },
    }),
    defineRoute({
      method: 'post', path: '/executions/:id/replay', access: 'execution:replay', action: 'execution.replay', tag: 'execution', successStatus: 202,
      summary: 'Run a finished execution again (keeps succeeded steps unless from_start)', body: replayBody,
      async handler(ctx) {
        const e = await mustGetVisible(d, ctx.principal!, ctx.params);
        const r = await d.cron.executions.replay(e.id, { fromStart: ctx.body.from_start });
        ctx.auditDetails.new_execution_id = r.executionId;
        return { status: 202, body: { execution_id: r.executionId, replay_of: e.id, created: r.created } };
      },
    }),
  ];
}

