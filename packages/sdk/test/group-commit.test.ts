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

describe('group commit of the job read', () => {
  it('reads the jobs of 50 concurrent calls (distinct jobs and repeats of one) in a few statements, each caller its own job', async () => {
    const { s, sql, job } = await rig(true);
    const others = await Promise.all(Array.from({ length: 40 }, (_, i) => s.createJob({ id: randomUUID(), definition: parseJobDefinition({ name: `g${i}`, steps: [{ id: 's1', type: 'echo', config: {} }] }), now: T0, anchorAt: T0, nextFireAt: null })));
    const ids = [...others.map((j) => j.id), ...Array.from({ length: 9 }, () => job.id), randomUUID()];
    const before = sql.count;
    const read = await Promise.all(ids.map((id) => s.getJob(id)));
    // A worker claiming the fires of 50 jobs due at one instant reads each job: one statement per call before.
    expect(sql.count - before).toBeLessThanOrEqual(3);
    expect(read.slice(0, 40)).toEqual(others);
    expect(read.slice(40, 49)).toEqual(Array.from({ length: 9 }, () => job));
    expect(read[49]).toBeNull();
  });
});

describe.each([false, true])('one statement per operation (group commit %s): a lone call is the batched statement with one item', (groupCommit) => {
  const at = (ms: number): Date => new Date(T0.getTime() + ms);
  const claim = (s: Storage, id: string, now: Date, exclusive = false) => s.claimExecution(id, { owner: 'w', leaseMs: 10_000, now, exclusive });

  it('answers each call about its own row, with the reason of a claim that misses', async () => {
    const { s, job } = await rig(groupCommit);
    const newExecution = (key: string, availableAt = T0) => s.createExecution({ id: randomUUID(), jobId: job.id, idempotencyKey: key, triggerSource: 'manual', availableAt }, T0);
    const a = await newExecution('a');
    expect(a.created).toBe(true);
    expect(await newExecution('a')).toEqual({ created: false, execution: a.execution });
    const later = (await newExecution('later', at(60_000))).execution;
    const missing = randomUUID();
    expect(await s.getExecution(missing)).toBeNull();
    expect(await s.getExecution(a.execution.id)).toEqual(a.execution);
    expect(await s.getJob(missing)).toBeNull();
    expect(await s.getJob(job.id)).toEqual(job);

    expect(await claim(s, later.id, at(1))).toEqual({ claimed: false, reason: 'not_available_yet', execution: later });
    expect(await claim(s, missing, at(1))).toEqual({ claimed: false, reason: 'not_claimable', execution: null });
    const won = await claim(s, a.execution.id, at(1));
    if (!won.claimed) throw new Error('claim failed');
    const token = won.execution.fencingToken!;
    expect(won.execution).toMatchObject({ status: 'running', leaseOwner: 'w', startedAt: at(1) });
    expect(await claim(s, a.execution.id, at(2))).toMatchObject({ claimed: false, reason: 'not_claimable', execution: { id: a.execution.id, fencingToken: token } });
    // the exclusive claim: the job row lock, the overlap check, then the same conditional UPDATE
    const other = (await newExecution('other')).execution;
    expect(await claim(s, other.id, at(3), true)).toEqual({ claimed: false, reason: 'overlap', execution: other });

    expect(await s.startStepAttempt(a.execution.id, token + 1, 's1', at(4))).toBeNull();
    expect(await s.startStepAttempt(a.execution.id, token, 's1', at(4))).toEqual({ attempt: 1, previousFailures: 0 });
    expect(await s.extendLease(a.execution.id, token + 1, { leaseMs: 10_000, now: at(5) })).toEqual({ ok: false, cancelRequested: false });
    expect(await s.requestCancel(a.execution.id, at(5))).toBe('cancelling');
    expect(await s.extendLease(a.execution.id, token, { leaseMs: 10_000, now: at(5) })).toEqual({ ok: true, cancelRequested: true });
    const ctx = { steps: { s1: { status: 'succeeded' as const, attempts: 1, output: {}, finished_at: at(6).toISOString() } } };
    expect(await s.recordStepSuccess(a.execution.id, token + 1, { stepId: 's1', attempt: 1, context: ctx, now: at(6) })).toBe(false);
    expect(await s.recordStepSuccess(a.execution.id, token, { stepId: 's1', attempt: 1, context: ctx, now: at(6) })).toBe(true);
    expect(await s.completeExecution(a.execution.id, token + 1, { status: 'cancelled', error: null, context: ctx, now: at(7) })).toBe(false);
    expect(await s.completeExecution(a.execution.id, token, { status: 'cancelled', error: null, context: ctx, now: at(7) })).toBe(true);
    expect(await s.getExecution(a.execution.id)).toMatchObject({ status: 'cancelled', context: ctx, leaseOwner: null, finishedAt: at(7) });
    expect(await claim(s, other.id, at(8), true)).toMatchObject({ claimed: true, execution: { id: other.id, status: 'running' } });

    await s.markPublished([later.id, later.id], at(9));
    await s.markPublished([], at(9));
    expect((await s.findExecutionsToDispatch({ now: at(60_001), republishAfterMs: 60_000, limit: 10 })).map((x) => x.id)).not.toContain(later.id);

    await s.setVariable({ scope: '', name: 'G', value: 'g', sensitive: false, updatedAt: T0 });
    await s.setVariable({ scope: 'job', name: 'J', value: 'j', sensitive: false, updatedAt: T0 });
    expect((await s.listVariables(['job'])).map((v) => v.name)).toEqual(['J']);
    expect((await s.listVariables(['', 'job'])).map((v) => v.name)).toEqual(['G', 'J']);
    expect((await s.listVariables('')).map((v) => v.name)).toEqual(['G']);
    expect((await s.listVariables()).map((v) => v.name)).toEqual(['G', 'J']);
    expect(await s.listVariables([])).toEqual([]);
  });
});
