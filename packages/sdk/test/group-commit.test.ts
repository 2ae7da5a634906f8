import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqlStorage, embeddedStorage, parseJobDefinition } from '../src/index.js';
import type { SqlClient, Storage } from '../src/index.js';
import { sqlClientOf } from '../src/internal/storage-internals.js';

/** A SqlClient that counts the statements it sends. */
function counting(inner: SqlClient): SqlClient & { count: number } {
  const c = {
    count: 0,
    query: <Row>(text: string, params?: unknown[]) => {
      c.count++;
      return inner.query<Row>(text, params);
    },
    exec: (text: string) => inner.exec(text),
    transaction: <T>(fn: (tx: SqlClient) => Promise<T>) => inner.transaction(fn),
  };
  return c;
}

const T0 = new Date('2026-01-05T02:00:00.000Z');
const opened: Storage[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});

async function rig(groupCommit: boolean) {
  const base = await embeddedStorage();
  opened.push(base);
  const sql = counting(sqlClientOf(base));
  const s = createSqlStorage(sql, { groupCommit });
  const job = await s.createJob({ id: randomUUID(), definition: parseJobDefinition({ name: 'g', steps: [{ id: 's1', type: 'echo', config: {} }] }), now: T0, anchorAt: T0, nextFireAt: null });
  return { s, sql, job };
}

/** Runs 50 executions through create → claim → start step → step success → complete, each phase concurrently. */
async function fiftyExecutions(s: Storage, jobId: string): Promise<void> {
  const n = 50;
  const created = await Promise.all(Array.from({ length: n }, () => s.createExecution({ id: randomUUID(), jobId, idempotencyKey: randomUUID(), triggerSource: 'manual', availableAt: T0 }, T0)));
  const ids = created.map((c) => c.execution.id);
  await Promise.all(ids.map((id) => s.getExecution(id)));
  const claims = await Promise.all(ids.map((id) => s.claimExecution(id, { owner: 'w', leaseMs: 10_000, now: T0, exclusive: false })));
  const tokens = claims.map((c) => (c.claimed ? c.execution.fencingToken! : -1));
  const steps = await Promise.all(ids.map((id, i) => s.startStepAttempt(id, tokens[i]!, 's1', T0)));
  const ctx = { steps: { s1: { status: 'succeeded' as const, attempts: 1, output: {}, finished_at: T0.toISOString() } } };
  await Promise.all(ids.map((id, i) => s.recordStepSuccess(id, tokens[i]!, { stepId: 's1', attempt: steps[i]!.attempt, context: ctx, now: T0 })));
  const done = await Promise.all(ids.map((id, i) => s.completeExecution(id, tokens[i]!, { status: 'success', error: null, context: ctx, now: T0 })));
  expect(done.every(Boolean)).toBe(true);
  expect((await s.listExecutions({ jobId, status: 'success', limit: 100 })).length).toBe(n);
}

describe('group commit on the SQL storage', () => {
  it('sends one statement per phase for 50 concurrent executions instead of one per call', async () => {
    const batched = await rig(true);
    const before = batched.sql.count;
    await fiftyExecutions(batched.s, batched.job.id);
    const withGroupCommit = batched.sql.count - before;

    const plain = await rig(false);
    const before2 = plain.sql.count;
    await fiftyExecutions(plain.s, plain.job.id);
    const without = plain.sql.count - before2;

    // 6 phases of 50 calls: 300 statements without; a handful with (one batch per phase, plus
    // the first call of a phase that may go alone while the batch forms).
    expect(without).toBeGreaterThanOrEqual(300);
    expect(withGroupCommit).toBeLessThanOrEqual(6 * 3 + 1);
  });
});
