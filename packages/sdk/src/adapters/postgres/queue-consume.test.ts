import type { Pool } from 'pg';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { QueueMessage } from '../../queue/port.js';
import { consumeQueue } from './queue-consume.js';
import type { ConsumeContext } from './queue-consume.js';
import type { QueueDb } from './queue-db.js';
import type { ClaimResultRow } from './queue-statements.js';
import { queueWakeups } from './queue-wakeups.js';

const logger = pino({ level: 'silent' });
const noRow: ClaimResultRow = { execution_id: null, job_id: null, traceparent: null, deliveries: null, next_due_ms: null };
const row = (id: string): ClaimResultRow => ({ execution_id: id, job_id: null, traceparent: null, deliveries: 1, next_due_ms: null });

/** Wake-ups without a LISTEN connection (`listen` never connects: the queue counts as closed for it). */
function localWakeups(): ReturnType<typeof queueWakeups> {
  return queueWakeups({ pool: {} as Pool, channel: 'c', logger, isClosed: () => true });
}

describe('queueWakeups', () => {
  it('idle with a wake count read before a wake returns at once; with the current count it waits', async () => {
    const w = localWakeups();
    const signal = new AbortController().signal;
    const before = w.wakes();
    w.wake();
    const t0 = performance.now();
    await w.idle(10_000, signal, before);
    expect(performance.now() - t0).toBeLessThan(50);
    const waited = w.idle(10_000, signal, w.wakes()).then(() => 'woken');
    const early = await Promise.race([waited, new Promise((r) => setTimeout(() => r('still idle'), 50))]);
    expect(early).toBe('still idle');
    w.wake();
    expect(await waited).toBe('woken');
  });
});

describe('consumeQueue', () => {
  it('claims again at once when a notification arrived while a claim was running (not after the poll interval)', async () => {
    const wakeups = localWakeups();
    const claims: number[] = [];
    // First claim: the publish's notification arrives while it runs, and its row is not in the
    // claim's snapshot. Second claim: the row. Then nothing.
    const query = async (): Promise<{ rows: ClaimResultRow[] }> => {
      claims.push(performance.now());
      if (claims.length === 1) {
        await new Promise((r) => setTimeout(r, 20));
        wakeups.wake();
        return { rows: [noRow] };
      }
      return { rows: claims.length === 2 ? [row('e1'), noRow] : [noRow] };
    };
    const db = { query, sql: { claim: 'claim' }, writes: { ack: async () => undefined, nak: async () => undefined, extend: async () => undefined } } as unknown as QueueDb;
    const ctx: ConsumeContext = { db, wakeups, logger, maxDeliver: 100, ackWaitMs: 30_000, pollIntervalMs: 60_000, isClosed: () => false };
    const abort = new AbortController();
    const t0 = performance.now();
    let handledAt = 0;
    const handled = new Promise<void>((resolve) => {
      void consumeQueue(ctx, async (m: QueueMessage) => {
        handledAt = performance.now();
        await m.ack();
        resolve();
      }, { concurrency: 10, signal: abort.signal });
    });
    const outcome = await Promise.race([handled.then(() => 'handled'), new Promise((r) => setTimeout(() => r('waiting for the poll'), 2_000))]);
    abort.abort();
    expect(outcome).toBe('handled');
    expect(claims.length).toBeGreaterThanOrEqual(2);
    expect(handledAt - t0).toBeLessThan(1_000);
  });
});

describe('consumeQueue slots', () => {
  it('a slot is free for the next message once its message is acked, before the ack has committed', async () => {
    // Concurrency 1; the ack of e1 commits only after e2 has been delivered. Holding the slot
    // until the ack commits would never deliver e2 (and never commit the ack).
    let commitAck!: () => void;
    const ackCommitted = new Promise<void>((r) => (commitAck = r));
    const acks: string[] = [];
    let claims = 0;
    const query = async (_name: string, _text: string, [want]: [number]): Promise<{ rows: ClaimResultRow[] }> => {
      claims += 1;
      expect(want).toBe(1);
      return { rows: claims === 1 ? [row('e1')] : claims === 2 ? [row('e2')] : [noRow] };
    };
    const writes = {
      ack: async ({ id }: { id: string }) => {
        acks.push(id);
        if (id === 'e1') await ackCommitted;
      },
      nak: async () => undefined,
      extend: async () => undefined,
    };
    const db = { query, sql: { claim: 'claim' }, writes } as unknown as QueueDb;
    const ctx: ConsumeContext = { db, wakeups: localWakeups(), logger, maxDeliver: 100, ackWaitMs: 30_000, pollIntervalMs: 60_000, isClosed: () => false };
    const abort = new AbortController();
    const delivered: string[] = [];
    let secondDelivered!: () => void;
    const second = new Promise<void>((r) => (secondDelivered = r));
    const consuming = consumeQueue(ctx, async (m: QueueMessage) => {
      delivered.push(m.executionId);
      if (m.executionId === 'e2') secondDelivered();
      await m.ack();
    }, { concurrency: 1, signal: abort.signal });
    await second;
    expect(delivered).toEqual(['e1', 'e2']);
    expect(acks).toEqual(['e1', 'e2']);
    commitAck();
    abort.abort();
    ctx.wakeups.wake();
    await consuming;
  });
});
