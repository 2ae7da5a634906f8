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
  /** Open dead letters: not discarded and not replayed yet. */
  const openIds = async (jobId: string | null, limit: number, offset: number, id: string | null = null): Promise<string[]> => {
    const { rows } = await d.sql.query<{ id: string }>(
      `SELECT e.id FROM vecron_executions e
       WHERE e.status = 'dead_letter' AND ($1::uuid IS NULL OR e.job_id = $1) AND ($4::uuid IS NULL OR e.id = $4)
         AND NOT EXISTS (SELECT 1 FROM vecron_dlq_discards x WHERE x.execution_id = e.id)
         AND NOT EXISTS (SELECT 1 FROM vecron_executions r WHERE r.replay_of = e.id)
       ORDER BY e.finished_at DESC NULLS LAST, e.id LIMIT $2 OFFSET $3`,
      [jobId, limit, offset, id],
    );
    return rows.map((r) => String(r.id));
  };
  const mustGetOpen = async (params: Record<string, string>) => {
    const id = idParam(params, 'dead-letter execution');
    const e = await d.cron.executions.get(id);
    if (!e) throw notFound('dead-letter execution', id);
    if (e.status !== 'dead_letter' || !(await openIds(null, 1, 0, id)).length) throw new ApiError(409, 'CONFLICT', `execution ${id} is not an open dead letter (status ${e.status})`);
    return e;
  };
  return [
    defineRoute({
      method: 'get', path: '/dlq', access: 'execution:read', tag: 'dlq', summary: 'List open dead-letter executions', query: listQuery,
      async handler(ctx) {
        const ids = await openIds(ctx.query.job_id ?? null, ctx.query.limit, ctx.query.offset);
        const items = [];
        for (const id of ids) {
          const e = await d.cron.executions.get(id);
          if (e && canSee(ctx.principal!, e)) items.push(executionView(e));
        }
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
        await d.sql.query('INSERT INTO vecron_dlq_discards (execution_id, discarded_by, reason, discarded_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
          e.id, ctx.principal!.id, ctx.body.reason ?? null, d.now().toISOString(),
        ]);
        return { body: { execution_id: e.id, discarded: true } };
      },
    }),
  ];
}
