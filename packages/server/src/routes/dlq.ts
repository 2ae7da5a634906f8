import { z } from 'zod';
import { ApiError, notFound } from '../http/api-error.js';
import type { ApiDeps } from '../http/deps.js';
import { defineRoute } from '../http/route.js';
import { executionView, idParam, pagination } from './common.js';
import { canSee } from './executions.js';

const listQuery = z.object({ job_id: z.uuid().optional(), ...pagination }).strict();
const replayBody = z.object({ from_start: z.boolean().default(false) }).strict();
const discardBody = z.object({ reason: z.string().max(1000).optional() }).strict();

/** Dead-letter queue: executions that exhausted their retries, until replayed or discarded. */
export function dlqRoutes(d: ApiDeps) {
  const mustGetOpen = async (params: Record<string, string>) => {
    const id = idParam(params, 'dead-letter execution');
    const e = await d.cron.executions.get(id);
    if (!e) throw notFound('dead-letter execution', id);
    if (e.status !== 'dead_letter' || !(await d.storage.listDeadLetters({ id, limit: 1 })).length) throw notOpen(e);
    return e;
  };
  const notOpen = (e: { id: string; status: string }): ApiError => new ApiError(409, 'CONFLICT', `execution ${e.id} is not an open dead letter (status ${e.status})`);
  return [
    defineRoute({
      method: 'get', path: '/dlq', access: 'execution:read', tag: 'dlq', summary: 'List open dead-letter executions', query: listQuery,
      async handler(ctx) {
        const open = await d.storage.listDeadLetters({ ...(ctx.query.job_id ? { jobId: ctx.query.job_id } : {}), limit: ctx.query.limit, offset: ctx.query.offset });
        const items = open.filter((e) => canSee(ctx.principal!, e)).map((e) => executionView(e));
        return { body: { items, limit: ctx.query.limit, offset: ctx.query.offset } };
      },
    }),
    defineRoute({
      method: 'post', path: '/dlq/:id/replay', access: 'execution:replay', action: 'dlq.replay', tag: 'dlq', successStatus: 202, summary: 'Replay a dead-letter execution', body: replayBody,
      async handler(ctx) {
        const e = await mustGetOpen(ctx.params);
        const r = await d.cron.executions.replay(e.id, { fromStart: ctx.body.from_start });
        ctx.auditDetails.new_execution_id = r.executionId;
        return { status: 202, body: { execution_id: r.executionId, replay_of: e.id, created: r.created } };
      },
    }),
    defineRoute({
      method: 'post', path: '/dlq/:id/discard', access: 'execution:replay', action: 'dlq.discard', tag: 'dlq', summary: 'Discard a dead-letter execution (kept as evidence, leaves the queue)', body: discardBody,
      async handler(ctx) {
        const e = await mustGetOpen(ctx.params);
        // Replayed or discarded by someone else since the check above: not open any more.
        if (!(await d.storage.discardDeadLetter(e.id, { by: ctx.principal!.id, reason: ctx.body.reason ?? null, now: d.now() }))) throw notOpen(e);
        return { body: { execution_id: e.id, discarded: true } };
      },
    }),
  ];
}
