import type { Logger } from 'pino';
import type { QueueHandler, QueueMessage } from '../../queue/port.js';
import { runHandler } from '../../queue/run-handler.js';
import type { Delivered } from '../../queue/run-handler.js';
import type { QueueDb } from './queue-db.js';
import type { ClaimedRow, ClaimResultRow } from './queue-statements.js';
import type { QueueWakeups } from './queue-wakeups.js';

/** What a consumer of {@link postgresQueue} works with. */
export interface ConsumeContext {
  readonly db: QueueDb;
  readonly wakeups: QueueWakeups;
  readonly logger: Logger;
  readonly maxDeliver: number;
  readonly ackWaitMs: number;
  readonly pollIntervalMs: number;
  readonly onDeadLetter?: (executionId: string, info: { deliveries: number }) => Promise<void>;
  isClosed(): boolean;
}

/**
 * `Queue.consume` of the PostgreSQL queue: claims up to the free concurrency in one statement,
 * runs the handler on each claimed row (or dead-letters it), and sleeps while nothing is due.
 * A slot is free again once its message is acked or nak'ed, not once that write has committed:
 * the handler's work is over then, and the row is not due again before the write lands (its
 * ack wait runs), so the next claim cannot take it (docs/architecture.md#queue).
 */
export async function consumeQueue(ctx: ConsumeContext, handler: QueueHandler, { concurrency, signal }: { concurrency: number; signal: AbortSignal }): Promise<void> {
  const { logger } = ctx;
  void ctx.wakeups.listen();
  const running = new Set<Promise<void>>();
  // Messages taken and not yet acked, nak'ed or dead-lettered (`running` also holds their writes).
  let busy = 0;
  let freed: (() => void) | null = null;
  const release = (): void => {
    busy -= 1;
    freed?.();
    freed = null;
  };
  let failures = 0;
  while (!signal.aborted && !ctx.isClosed()) {
    if (busy >= concurrency) {
      await new Promise<void>((r) => (freed = r));
      // Completions come in bursts (a group commit answers many at once): one claim for all.
      await new Promise<void>((r) => setImmediate(r));
      continue;
    }
    const want = concurrency - busy;
    // A notification that arrives while this claim runs (its row committed after the claim's
    // snapshot) must not wait for the next one or the poll: `idle` below returns at once then.
    const wakesBefore = ctx.wakeups.wakes();
    let claimed: { rows: ClaimedRow[]; nextDueMs: number | null };
    try {
      claimed = await claim(ctx, want);
      if (failures > 0) logger.info('PostgreSQL queue: claiming again');
      failures = 0;
    } catch (err) {
      if (signal.aborted || ctx.isClosed()) break;
      failures += 1;
      const delay = Math.min(5_000, 250 * 2 ** Math.min(failures, 5));
      logger.error({ err: { message: (err as Error).message }, retryInMs: delay }, 'PostgreSQL queue claim failed; retrying');
      // A timer that keeps the process alive: while the server is down no socket does, and a
      // worker process must wait for it, not exit.
      await ctx.wakeups.idle(delay, signal);
      continue;
    }
    const { rows, nextDueMs } = claimed;
    busy += rows.length;
    for (const row of rows) {
      if (row.deliveries > ctx.maxDeliver) {
        const p: Promise<void> = deadLetter(ctx, row).catch(() => undefined).finally(() => {
          running.delete(p);
          release();
        });
        running.add(p);
        continue;
      }
      runHandler(handler, deliveryOf(ctx, row, release), running, logger);
    }
    if (rows.length < want) {
      // Nothing more is due: sleep until a notification, the next due message or the poll.
      await ctx.wakeups.idle(nextDueMs === null ? ctx.pollIntervalMs : Math.min(ctx.pollIntervalMs, Math.max(1, Math.ceil(nextDueMs))), signal, wakesBefore);
    }
  }
  await Promise.allSettled(running);
}

/** Claims up to `want` due rows; `nextDueMs` is how far off the next waiting one is (null: none). */
async function claim(ctx: ConsumeContext, want: number): Promise<{ rows: ClaimedRow[]; nextDueMs: number | null }> {
  const result = (await ctx.db.query<ClaimResultRow>('claim', ctx.db.sql.claim, [want, ctx.ackWaitMs])).rows;
  const rows: ClaimedRow[] = [];
  let nextDueMs: number | null = null;
  for (const r of result) {
    if (r.execution_id === null) nextDueMs = r.next_due_ms;
    else rows.push(r);
  }
  return { rows, nextDueMs };
}

/** The message of one claimed row: its ack, nak and in-progress carry this delivery's number; the first ack or nak frees its slot (`settled`). */
function deliveryOf(ctx: ConsumeContext, row: ClaimedRow, settled: () => void): Delivered {
  const { writes } = ctx.db;
  let done = false;
  const once = (): boolean => {
    if (done) return false;
    done = true;
    settled();
    return true;
  };
  const delivery = row.deliveries;
  const id = row.execution_id;
  const warn = (what: string) => (err: unknown): void =>
    ctx.logger.warn({ err: { message: (err as Error).message }, executionId: id }, `PostgreSQL queue ${what} failed; the message is delivered again after the ack wait`);
  const message: QueueMessage = {
    executionId: id,
    deliveryCount: delivery,
    ...(row.job_id ? { jobId: row.job_id } : {}),
    ...(row.traceparent ? { traceparent: row.traceparent } : {}),
    async ack() {
      if (!once()) return;
      // The outcome is committed already: a lost ack is one more delivery, refused by the claim.
      await writes.ack({ id, delivery, delayMs: 0 }).catch(warn('ack'));
    },
    async nak(delayMs = 0) {
      if (!once()) return;
      const ms = Math.max(0, Math.round(delayMs));
      await writes.nak({ id, delivery, delayMs: ms }).catch(warn('nak'));
      if (ms === 0) ctx.wakeups.wake();
    },
    async inProgress() {
      if (done) return;
      await writes.extend({ id, delivery, delayMs: ctx.ackWaitMs }).catch(warn('in-progress'));
    },
  };
  return { message, settled: () => done };
}

/** A row delivered more than `maxDeliver` times: hands it to `onDeadLetter`, then removes it. */
async function deadLetter(ctx: ConsumeContext, row: ClaimedRow): Promise<void> {
  const deliveries = row.deliveries - 1;
  ctx.logger.warn({ executionId: row.execution_id, deliveries }, 'message exceeded max deliveries; removed from the queue');
  try {
    await ctx.onDeadLetter?.(row.execution_id, { deliveries });
  } catch (err) {
    ctx.logger.error({ err: { message: (err as Error).message }, executionId: row.execution_id }, 'dead-lettering a message failed; the reaper will re-publish its execution');
  }
  await ctx.db.writes.ack({ id: row.execution_id, delivery: row.deliveries, delayMs: 0 });
}
