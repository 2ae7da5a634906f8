/**
 * Where step attempts are stored (migration 0011, docs/architecture.md#step-attempts): the latest
 * attempt of an execution is held in its row and moves into `vecron_step_attempts` only when
 * another attempt replaces it. Checked on the SQL underneath, on PGlite and PostgreSQL: how many
 * table rows each path writes, that `vecron_step_attempts_all` lists each attempt once, and that
 * attempts an earlier schema version wrote into the table (possibly still `running`) are numbered,
 * counted, abandoned and finished exactly as before.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseJobDefinition } from '../src/index.js';
import { sqlClientOf } from '../src/internal/storage-internals.js';
import { sqlStorageBackends } from './helpers/sql-storage-backends.js';

const T0 = new Date('2026-01-05T02:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);
const done = (...ids: string[]) => ({ steps: Object.fromEntries(ids.map((id) => [id, { status: 'succeeded' as const, output: null, attempts: 1, finished_at: T0.toISOString() }])) });

const backends = sqlStorageBackends('attempts');

describe.each(backends)('step attempts held in the execution row: %s', (_name, create) => {
  async function setup(steps = ['s1']) {
    const s = await create();
    const db = sqlClientOf(s);
    const job = await s.createJob({ id: randomUUID(), definition: parseJobDefinition({ name: `rows-${randomUUID().slice(0, 8)}`, steps: steps.map((id) => ({ id, type: 'echo', config: {} })) }), now: T0, anchorAt: T0, nextFireAt: null });
    const newExecution = async (): Promise<string> => (await s.createExecution({ id: randomUUID(), jobId: job.id, idempotencyKey: randomUUID(), triggerSource: 'manual', availableAt: T0 }, T0)).execution.id;
    const tableRows = async (id: string) => (await db.query<{ step_id: string; attempt: number; status: string }>(
      'SELECT step_id, attempt, status FROM vecron_step_attempts WHERE execution_id = $1 ORDER BY started_at, step_id, attempt', [id])).rows;
    const viewRows = async (id: string) => (await db.query<{ step_id: string; attempt: number; status: string }>(
      'SELECT step_id, attempt, status FROM vecron_step_attempts_all WHERE execution_id = $1 ORDER BY started_at, step_id, attempt', [id])).rows;
    /** An attempt as a vecron before migration 0011 wrote it: a table row only. */
    const legacyAttempt = (id: string, stepId: string, attempt: number, status: string, token: number, startedAt: Date) => db.query(
      `INSERT INTO vecron_step_attempts (execution_id, step_id, attempt, status, fencing_token, started_at, finished_at)
       VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $4 = 'running' THEN NULL ELSE $6::timestamptz END)`,
      [id, stepId, attempt, status, token, startedAt.toISOString()]);
    return { s, job, newExecution, tableRows, viewRows, legacyAttempt };
  }

  it('a one-step execution that succeeds first time writes no step-attempt row; the view lists its attempt', async () => {
    const { s, job, newExecution, tableRows, viewRows } = await setup();
    const id = await newExecution();
    const claim = await s.claimAndStartStep(id, { owner: 'w', leaseMs: 1_000, now: at(0), exclusive: false, jobId: job.id, stepId: 's1' });
    if (!claim.claimed || !claim.step) throw new Error('not claimed');
    expect(await s.completeWithStepSuccess(id, claim.execution.fencingToken!, { stepId: 's1', attempt: 1, context: done('s1'), now: at(5) })).toBe(true);
    expect(await tableRows(id)).toEqual([]);
    expect(await viewRows(id)).toEqual([{ step_id: 's1', attempt: 1, status: 'succeeded' }]);
    expect((await s.listStepAttempts(id)).map((a) => [a.stepId, a.attempt, a.status, a.fencingToken, a.startedAt, a.finishedAt]))
      .toEqual([['s1', 1, 'succeeded', claim.execution.fencingToken, at(0), at(5)]]);
  });

  it('moves an attempt into the table only when the next step, a retry or a reclaim replaces it, with everything it held', async () => {
    const { s, job, newExecution, tableRows, viewRows } = await setup(['s1', 's2']);
    const id = await newExecution();
    const a = await s.claimAndStartStep(id, { owner: 'a', leaseMs: 1_000, now: at(0), exclusive: false, jobId: job.id, stepId: 's1' });
    if (!a.claimed) throw new Error('not claimed');
    const ta = a.execution.fencingToken!;
    expect(await s.recordStepSuccess(id, ta, { stepId: 's1', attempt: 1, context: done('s1'), now: at(10) })).toBe(true);
    expect(await tableRows(id)).toEqual([]);
    expect(await s.startStepAttempt(id, ta, 's2', at(20))).toEqual({ attempt: 1, previousFailures: 0 });
    expect(await tableRows(id)).toEqual([{ step_id: 's1', attempt: 1, status: 'succeeded' }]);
    const error = { name: 'E', code: 'X', message: 'boom', retryable: true };
    expect(await s.finishStepAttempt(id, ta, { stepId: 's2', attempt: 1, status: 'failed', error, retryDelayMs: 250, now: at(30) })).toBe(true);
    expect(await s.finishStepAttempt(id, ta, { stepId: 's2', attempt: 1, status: 'failed', error, retryDelayMs: 250, now: at(31) })).toBe(false);
    expect(await s.startStepAttempt(id, ta, 's2', at(40))).toEqual({ attempt: 2, previousFailures: 1 });
    // A reclaim after the lease: the context has s1 done, so the claim opens nothing and moves nothing.
    const b = await s.claimAndStartStep(id, { owner: 'b', leaseMs: 1_000, now: at(2_000), exclusive: false, jobId: job.id, stepId: 's1' });
    if (!b.claimed) throw new Error('not reclaimed');
    expect(b.step).toBeNull();
    expect(await tableRows(id)).toEqual([{ step_id: 's1', attempt: 1, status: 'succeeded' }, { step_id: 's2', attempt: 1, status: 'failed' }]);
    expect(await s.startStepAttempt(id, b.execution.fencingToken!, 's2', at(2_010))).toEqual({ attempt: 3, previousFailures: 1 });
    const all = await s.listStepAttempts(id);
    expect(all.map((x) => [x.stepId, x.attempt, x.status, x.fencingToken, x.retryDelayMs, x.error?.message ?? null, x.finishedAt]))
      .toEqual([
        ['s1', 1, 'succeeded', ta, null, null, at(10)],
        ['s2', 1, 'failed', ta, 250, 'boom', at(30)],
        ['s2', 2, 'abandoned', ta, null, null, at(2_010)],
        ['s2', 3, 'running', b.execution.fencingToken, null, null, null],
      ]);
    expect(await viewRows(id)).toHaveLength(4);
    expect(await tableRows(id)).toHaveLength(3);
    // The replaced attempt is closed for its old token, wherever it lives now.
    expect(await s.finishStepAttempt(id, ta, { stepId: 's2', attempt: 2, status: 'failed', error: null, retryDelayMs: null, now: at(2_020) })).toBe(false);
  });

  it('an attempt an earlier schema version left running in the table is abandoned by a reclaim, exactly as before, and failed ones count', async () => {
    const { s, job, newExecution, viewRows, legacyAttempt } = await setup();
    // Through the folded claim.
    const id = await newExecution();
    const a = await s.claimExecution(id, { owner: 'old', leaseMs: 1_000, now: at(0), exclusive: false });
    if (!a.claimed) throw new Error('not claimed');
    await legacyAttempt(id, 's1', 1, 'failed', a.execution.fencingToken!, at(1));
    await legacyAttempt(id, 's1', 2, 'running', a.execution.fencingToken!, at(2));
    const b = await s.claimAndStartStep(id, { owner: 'new', leaseMs: 1_000, now: at(2_000), exclusive: false, jobId: job.id, stepId: 's1' });
    if (!b.claimed) throw new Error('not reclaimed');
    expect(b.step).toEqual({ attempt: 3, previousFailures: 1 });
    expect(await viewRows(id)).toEqual([
      { step_id: 's1', attempt: 1, status: 'failed' }, { step_id: 's1', attempt: 2, status: 'abandoned' }, { step_id: 's1', attempt: 3, status: 'running' },
    ]);
    expect((await s.listStepAttempts(id))[1]!.finishedAt).toEqual(at(2_000));
    // Through claimExecution and startStepAttempt.
    const id2 = await newExecution();
    const c = await s.claimExecution(id2, { owner: 'old', leaseMs: 1_000, now: at(0), exclusive: false });
    if (!c.claimed) throw new Error('not claimed');
    await legacyAttempt(id2, 's1', 1, 'running', c.execution.fencingToken!, at(1));
    const d = await s.claimExecution(id2, { owner: 'new', leaseMs: 1_000, now: at(2_000), exclusive: false });
    if (!d.claimed) throw new Error('not reclaimed');
    expect(await s.startStepAttempt(id2, d.execution.fencingToken!, 's1', at(2_001))).toEqual({ attempt: 2, previousFailures: 0 });
    expect((await s.listStepAttempts(id2)).map((x) => [x.attempt, x.status, x.finishedAt])).toEqual([[1, 'abandoned', at(2_001)], [2, 'running', null]]);
  });

  it('during a rolling upgrade, an attempt number an older process wrote into the table while the row held the same number does not block the next claim', async () => {
    const { s, job, newExecution, viewRows, legacyAttempt } = await setup();
    const id = await newExecution();
    // A new worker opens attempt 1 in the row, then dies.
    const a = await s.claimAndStartStep(id, { owner: 'new-1', leaseMs: 1_000, now: at(0), exclusive: false, jobId: job.id, stepId: 's1' });
    if (!a.claimed || !a.step) throw new Error('not claimed');
    // A worker of the previous version reclaims it and, knowing only the table, numbers its attempt 1 too.
    const old = await s.claimExecution(id, { owner: 'old', leaseMs: 1_000, now: at(2_000), exclusive: false });
    if (!old.claimed) throw new Error('not reclaimed');
    await legacyAttempt(id, 's1', 1, 'running', old.execution.fencingToken!, at(2_001));
    // A new worker reclaims after that one's lease: it opens attempt 2 instead of failing on the duplicate number.
    const b = await s.claimAndStartStep(id, { owner: 'new-2', leaseMs: 1_000, now: at(4_000), exclusive: false, jobId: job.id, stepId: 's1' });
    if (!b.claimed) throw new Error('not reclaimed');
    expect(b.step).toEqual({ attempt: 2, previousFailures: 0 });
    expect(await viewRows(id)).toEqual([{ step_id: 's1', attempt: 1, status: 'abandoned' }, { step_id: 's1', attempt: 2, status: 'running' }]);
  });

  it('an attempt an earlier schema version opened in the table under the live token is finished by it, in the table', async () => {
    const { s, newExecution, tableRows, legacyAttempt } = await setup();
    const id = await newExecution();
    const c = await s.claimExecution(id, { owner: 'w', leaseMs: 1_000, now: at(0), exclusive: false });
    if (!c.claimed) throw new Error('not claimed');
    const t = c.execution.fencingToken!;
    await legacyAttempt(id, 's1', 1, 'running', t, at(1));
    expect(await s.completeWithStepSuccess(id, t + 1, { stepId: 's1', attempt: 1, context: done('s1'), now: at(5) })).toBe(false);
    expect(await tableRows(id)).toEqual([{ step_id: 's1', attempt: 1, status: 'running' }]);
    expect(await s.completeWithStepSuccess(id, t, { stepId: 's1', attempt: 1, context: done('s1'), now: at(5) })).toBe(true);
    expect(await tableRows(id)).toEqual([{ step_id: 's1', attempt: 1, status: 'succeeded' }]);
    expect((await s.listStepAttempts(id)).map((x) => [x.attempt, x.status])).toEqual([[1, 'succeeded']]);
  });
});
