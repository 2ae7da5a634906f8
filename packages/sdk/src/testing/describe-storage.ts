import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError } from '../errors/errors.js';
import { parseJobDefinition } from '../model/job-definition.js';
import type { JobDefinition } from '../model/job-definition.js';
import type { Job } from '../model/job.js';
import type { Execution } from '../model/execution.js';
import type { DueSchedule, FireDecision, FireSkip, FireState, Storage } from '../storage/port.js';
import type { StepLogLine } from '../model/step-log.js';

/** Options of {@link describeStorage}. */
export interface StorageConformanceOptions {
  /** A fresh, migrated, empty store per test. */
  create: () => Promise<Storage>;
  /** Extra cleanup after `close()` (drop a schema, …). */
  destroy?: (storage: Storage) => Promise<void>;
}

const T0 = new Date('2026-01-05T02:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);

function definition(name: string, extra: Record<string, unknown> = {}): JobDefinition {
  return parseJobDefinition({ name, steps: [{ id: 's1', type: 'echo', config: {} }], ...extra });
}

async function newJob(s: Storage, name = `job-${randomUUID().slice(0, 8)}`, extra: Record<string, unknown> = {}, nextFireAt: Date | null = null) {
  return s.createJob({ id: randomUUID(), definition: definition(name, extra), now: T0, anchorAt: T0, nextFireAt });
}

async function newExecution(s: Storage, jobId: string, key: string = randomUUID(), availableAt = T0) {
  return s.createExecution({ id: randomUUID(), jobId, idempotencyKey: key, triggerSource: 'manual', availableAt }, T0);
}

/**
 * The conformance suite every storage adapter runs (embedded PGlite, PostgreSQL, third-party):
 * idempotent creates under concurrency, exactly-once claims, fencing of stale tokens after a lease
 * expires, exclusive claims, fire-once schedule claims across concurrent schedulers, dispatch
 * bookkeeping, cancellation and variables.
 */
export function describeStorage(name: string, options: StorageConformanceOptions): void {
  describe(`storage conformance: ${name}`, () => {
    let storage: Storage;
    beforeEach(async () => {
      storage = await options.create();
    });
    afterEach(async () => {
      await storage.close();
      await options.destroy?.(storage);
    });

    const ctx: SuiteContext = { test: (caseName, run) => it(caseName, () => run(storage)) };
    executionCases(ctx);
    fencingCases(ctx);
    claimAndStartCases(ctx);
    foldedCases(ctx);
    scheduleCases(ctx);
    sharedDecisionCases(ctx);
    fireStateCases(ctx);
    dispatchCases(ctx);
    redispatchCases(ctx);
    listCases(ctx);
    executionFilterCases(ctx);
    variableCases(ctx);
    batchedCallCases(ctx);
    pauseAndLogCases(ctx);
    deadLetterCases(ctx);
    retentionCases(ctx);
    lifecycleCases(ctx);
  });
}

/** What each section of the suite uses: cases run against the test's own fresh store (closed after it). */
interface SuiteContext {
  /** Declares a case (an `it`) whose body gets the store of the running test. */
  test(name: string, run: (s: Storage) => Promise<void>): void;
}

/** Jobs, idempotent execution creates, exactly-once claims and `available_at`. */
function executionCases({ test }: SuiteContext): void {
  test('stores and reads jobs; a taken name is a ConflictError', async (s) => {
    const job = await newJob(s, 'payroll');
    expect((await s.getJob(job.id))?.definition.name).toBe('payroll');
    expect((await s.getJobByName('payroll'))?.id).toBe(job.id);
    await expect(newJob(s, 'payroll')).rejects.toBeInstanceOf(ConflictError);
    const updated = await s.updateJob(job.id, { definition: definition('payroll-2'), now: at(1000) });
    expect(updated.version).toBe(2);
    expect(updated.name).toBe('payroll-2');
    expect(await s.deleteJob(job.id)).toBe(true);
    expect(await s.getJob(job.id)).toBeNull();
  });

  test('creates an execution once per (job, idempotency key), also under 20 concurrent creates', async (s) => {
    const job = await newJob(s);
    const results = await Promise.all(Array.from({ length: 20 }, () => newExecution(s, job.id, 'same-key')));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.execution.id)).size).toBe(1);
    expect(await s.listExecutions({ jobId: job.id })).toHaveLength(1);
  });

  test('lets exactly one of 10 concurrent claims win, with a fencing token', async (s) => {
    const job = await newJob(s);
    const { execution } = await newExecution(s, job.id);
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, i) => s.claimExecution(execution.id, { owner: `w${i}`, leaseMs: 10_000, now: at(1), exclusive: false })),
    );
    const winners = claims.filter((c) => c.claimed);
    expect(winners).toHaveLength(1);
    const won = winners[0]!;
    expect(won.claimed && won.execution.status).toBe('running');
    expect(won.claimed && won.execution.fencingToken).toBeGreaterThan(0);
  });

  test('does not claim before available_at', async (s) => {
    const job = await newJob(s);
    const { execution } = await newExecution(s, job.id, randomUUID(), at(60_000));
    const c = await s.claimExecution(execution.id, { owner: 'w', leaseMs: 1000, now: at(1), exclusive: false });
    expect(c).toMatchObject({ claimed: false, reason: 'not_available_yet' });
  });
}

/** Fencing of stale tokens after a lease expires, numbered step attempts and exclusive claims. */
function fencingCases({ test }: SuiteContext): void {
  test('reclaims an expired lease with a newer token; every write with the stale token changes nothing', async (s) => {
    const job = await newJob(s);
    const { execution } = await newExecution(s, job.id);
    const a = await s.claimExecution(execution.id, { owner: 'dead', leaseMs: 1_000, now: at(0), exclusive: false });
    if (!a.claimed) throw new Error('first claim failed');
    const stale = a.execution.fencingToken!;
    expect(await s.saveProgress(execution.id, stale, { context: { steps: { s1: { status: 'succeeded', output: 1, attempts: 1, finished_at: at(10).toISOString() } } }, currentStep: 's1' })).toBe(true);
    const early = await s.claimExecution(execution.id, { owner: 'w2', leaseMs: 1_000, now: at(500), exclusive: false });
    expect(early.claimed).toBe(false);
    const b = await s.claimExecution(execution.id, { owner: 'w2', leaseMs: 10_000, now: at(2_000), exclusive: false });
    if (!b.claimed) throw new Error('reclaim failed');
    const fresh = b.execution.fencingToken!;
    expect(fresh).toBeGreaterThan(stale);
    expect(b.execution.context.steps.s1?.status).toBe('succeeded');

    const before = await s.getExecution(execution.id);
    expect(await s.extendLease(execution.id, stale, { leaseMs: 99_000, now: at(2_100) })).toEqual({ ok: false, cancelRequested: false });
    expect(await s.saveProgress(execution.id, stale, { context: { steps: {} }, currentStep: 'zzz' })).toBe(false);
    expect(await s.startStepAttempt(execution.id, stale, 's1', at(2_100))).toBeNull();
    expect(await s.completeExecution(execution.id, stale, { status: 'failed', error: null, context: { steps: {} }, now: at(2_100) })).toBe(false);
    expect(await s.requeueExecution(execution.id, stale, { availableAt: at(0), incrementAttempt: true, error: null, context: { steps: {} }, now: at(2_100) })).toBe(false);
    expect(await s.getExecution(execution.id)).toEqual(before);

    expect(await s.completeExecution(execution.id, fresh, { status: 'success', error: null, context: b.execution.context, now: at(3_000) })).toBe(true);
    expect((await s.getExecution(execution.id))?.status).toBe('success');
  });

  test('numbers step attempts and marks one left running by a dead worker as abandoned', async (s) => {
    const job = await newJob(s);
    const { execution } = await newExecution(s, job.id);
    const a = await s.claimExecution(execution.id, { owner: 'a', leaseMs: 1_000, now: at(0), exclusive: false });
    if (!a.claimed) throw new Error('claim failed');
    const first = await s.startStepAttempt(execution.id, a.execution.fencingToken!, 's1', at(10));
    expect(first).toEqual({ attempt: 1, previousFailures: 0 });
    expect(await s.finishStepAttempt(execution.id, a.execution.fencingToken!, { stepId: 's1', attempt: 1, status: 'failed', error: null, retryDelayMs: 123, now: at(20) })).toBe(true);
    expect(await s.startStepAttempt(execution.id, a.execution.fencingToken!, 's1', at(30))).toEqual({ attempt: 2, previousFailures: 1 });
    const b = await s.claimExecution(execution.id, { owner: 'b', leaseMs: 1_000, now: at(5_000), exclusive: false });
    if (!b.claimed) throw new Error('reclaim failed');
    expect(await s.startStepAttempt(execution.id, b.execution.fencingToken!, 's1', at(5_010))).toEqual({ attempt: 3, previousFailures: 1 });
    const attempts = await s.listStepAttempts(execution.id);
    expect(attempts.map((x) => [x.attempt, x.status, x.retryDelayMs])).toEqual([[1, 'failed', 123], [2, 'abandoned', null], [3, 'running', null]]);

    const done = { steps: { s1: { status: 'succeeded' as const, output: { n: 1 }, attempts: 3, finished_at: at(5_020).toISOString() } } };
    expect(await s.recordStepSuccess(execution.id, a.execution.fencingToken!, { stepId: 's1', attempt: 3, context: done, now: at(5_020) })).toBe(false);
    expect((await s.getExecution(execution.id))?.context.steps.s1).toBeUndefined();
    expect(await s.recordStepSuccess(execution.id, b.execution.fencingToken!, { stepId: 's1', attempt: 3, context: done, now: at(5_020) })).toBe(true);
    expect((await s.getExecution(execution.id))?.context).toEqual(done);
    expect((await s.listStepAttempts(execution.id)).map((x) => x.status)).toEqual(['failed', 'abandoned', 'succeeded']);
  });

  test('keeps each step attempt as it ended when a later one replaces it: the next step, a retry, a reclaim', async (s) => {
    const job = await newJob(s, undefined, { steps: [{ id: 's1', type: 'echo', config: {} }, { id: 's2', type: 'echo', config: {} }] });
    const { execution } = await newExecution(s, job.id);
    const a = await s.claimAndStartStep(execution.id, { owner: 'a', leaseMs: 1_000, now: at(0), exclusive: false, jobId: job.id, stepId: 's1' });
    if (!a.claimed || !a.step) throw new Error('claim failed');
    const ta = a.execution.fencingToken!;
    const s1Done = { steps: { s1: { status: 'succeeded' as const, output: 1, attempts: 1, finished_at: at(10).toISOString() } } };
    expect(await s.recordStepSuccess(execution.id, ta, { stepId: 's1', attempt: 1, context: s1Done, now: at(10) })).toBe(true);
    expect(await s.startStepAttempt(execution.id, ta, 's2', at(20))).toEqual({ attempt: 1, previousFailures: 0 });
    const error = { name: 'E', code: 'X', message: 'boom', retryable: true };
    expect(await s.finishStepAttempt(execution.id, ta, { stepId: 's2', attempt: 1, status: 'failed', error, retryDelayMs: 250, now: at(30) })).toBe(true);
    expect(await s.finishStepAttempt(execution.id, ta, { stepId: 's2', attempt: 1, status: 'failed', error, retryDelayMs: 250, now: at(31) })).toBe(false);
    expect(await s.startStepAttempt(execution.id, ta, 's2', at(40))).toEqual({ attempt: 2, previousFailures: 1 });
    const b = await s.claimAndStartStep(execution.id, { owner: 'b', leaseMs: 1_000, now: at(2_000), exclusive: false, jobId: job.id, stepId: 's1' });
    if (!b.claimed) throw new Error('reclaim failed');
    expect(b.step).toBeNull();
    const tb = b.execution.fencingToken!;
    expect(await s.startStepAttempt(execution.id, tb, 's2', at(2_010))).toEqual({ attempt: 3, previousFailures: 1 });
    expect(await s.finishStepAttempt(execution.id, ta, { stepId: 's2', attempt: 2, status: 'failed', error: null, retryDelayMs: null, now: at(2_020) })).toBe(false);
    expect((await s.listStepAttempts(execution.id)).map((x) => [x.stepId, x.attempt, x.status, x.fencingToken, x.startedAt, x.finishedAt, x.error?.message ?? null, x.retryDelayMs])).toEqual([
      ['s1', 1, 'succeeded', ta, at(0), at(10), null, null],
      ['s2', 1, 'failed', ta, at(20), at(30), 'boom', 250],
      ['s2', 2, 'abandoned', ta, at(40), at(2_010), null, null],
      ['s2', 3, 'running', tb, at(2_010), null, null, null],
    ]);
  });

  test('an attempt still running when another step starts under the same token stays running and is closed by that token', async (s) => {
    const job = await newJob(s, undefined, { steps: [{ id: 's1', type: 'echo', config: {} }, { id: 's2', type: 'echo', config: {} }] });
    const { execution } = await newExecution(s, job.id);
    const c = await s.claimExecution(execution.id, { owner: 'w', leaseMs: 1_000, now: at(0), exclusive: false });
    if (!c.claimed) throw new Error('claim failed');
    const t = c.execution.fencingToken!;
    expect(await s.startStepAttempt(execution.id, t, 's1', at(1))).toEqual({ attempt: 1, previousFailures: 0 });
    expect(await s.startStepAttempt(execution.id, t, 's2', at(2))).toEqual({ attempt: 1, previousFailures: 0 });
    expect((await s.listStepAttempts(execution.id)).map((x) => [x.stepId, x.status])).toEqual([['s1', 'running'], ['s2', 'running']]);
    expect(await s.finishStepAttempt(execution.id, t + 1, { stepId: 's1', attempt: 1, status: 'failed', error: null, retryDelayMs: null, now: at(3) })).toBe(false);
    expect(await s.finishStepAttempt(execution.id, t, { stepId: 's1', attempt: 1, status: 'failed', error: null, retryDelayMs: null, now: at(3) })).toBe(true);
    expect((await s.listStepAttempts(execution.id)).map((x) => [x.stepId, x.status])).toEqual([['s1', 'failed'], ['s2', 'running']]);
  });

  test('refuses an exclusive claim while another execution of the job runs', async (s) => {
    const job = await newJob(s);
    const one = (await newExecution(s, job.id)).execution;
    const two = (await newExecution(s, job.id)).execution;
    expect((await s.claimExecution(one.id, { owner: 'a', leaseMs: 10_000, now: at(0), exclusive: true })).claimed).toBe(true);
    expect(await s.claimExecution(two.id, { owner: 'b', leaseMs: 10_000, now: at(1), exclusive: true })).toMatchObject({ claimed: false, reason: 'overlap' });
    expect((await s.claimExecution(two.id, { owner: 'b', leaseMs: 10_000, now: at(1), exclusive: false })).claimed).toBe(true);
  });
}

/** `claimAndStartStep`: a claim and the first step opened in one write. */
function claimAndStartCases({ test }: SuiteContext): void {
  test('claims and opens the first step in one write, only for the named job\'s running row whose context has not finished the step', async (s) => {
    const job = await newJob(s);
    const other = await newJob(s);
    const claimStart = (id: string, now: Date, extra: { jobId?: string; exclusive?: boolean } = {}) =>
      s.claimAndStartStep(id, { owner: 'w', leaseMs: 1_000, now, exclusive: extra.exclusive ?? false, jobId: extra.jobId ?? job.id, stepId: 's1' });
    const fresh = (await newExecution(s, job.id)).execution;
    const a = await claimStart(fresh.id, at(0));
    expect(a).toMatchObject({ claimed: true, step: { attempt: 1, previousFailures: 0 }, execution: { status: 'running', leaseOwner: 'w' } });
    expect((await s.getExecution(fresh.id))?.currentStep).toBe('s1');
    const token = a.claimed ? a.execution.fencingToken! : 0;
    expect((await s.listStepAttempts(fresh.id)).map((x) => [x.attempt, x.status, x.fencingToken])).toEqual([[1, 'running', token]]);

    // A hint naming another job: claimed as claimExecution would, no step opened.
    const hinted = (await newExecution(s, job.id)).execution;
    expect(await claimStart(hinted.id, at(0), { jobId: other.id })).toMatchObject({ claimed: true, step: null, execution: { jobId: job.id } });
    expect(await s.listStepAttempts(hinted.id)).toEqual([]);

    // A reclaim after a dead worker: its running attempt abandoned, the failures before it counted.
    const retried = (await newExecution(s, job.id)).execution;
    const dead = await claimStart(retried.id, at(0));
    const deadToken = dead.claimed ? dead.execution.fencingToken! : 0;
    await s.finishStepAttempt(retried.id, deadToken, { stepId: 's1', attempt: 1, status: 'failed', error: null, retryDelayMs: null, now: at(10) });
    expect(await s.startStepAttempt(retried.id, deadToken, 's1', at(20))).toEqual({ attempt: 2, previousFailures: 1 });
    expect(await claimStart(retried.id, at(500))).toMatchObject({ claimed: false, reason: 'not_claimable', step: null });
    expect(await claimStart(retried.id, at(2_000))).toMatchObject({ claimed: true, step: { attempt: 3, previousFailures: 1 } });
    expect((await s.listStepAttempts(retried.id)).map((x) => x.status)).toEqual(['failed', 'abandoned', 'running']);

    // A finished step is never opened again; a cancelling row is claimed but not started.
    const resumed = (await newExecution(s, job.id)).execution;
    const r1 = await claimStart(resumed.id, at(0));
    const done = { steps: { s1: { status: 'succeeded' as const, output: 1, attempts: 1, finished_at: at(5).toISOString() } } };
    expect(await s.recordStepSuccess(resumed.id, r1.claimed ? r1.execution.fencingToken! : 0, { stepId: 's1', attempt: 1, context: done, now: at(5) })).toBe(true);
    expect(await claimStart(resumed.id, at(2_000))).toMatchObject({ claimed: true, step: null, execution: { context: done } });
    expect(await s.requestCancel(fresh.id, at(100))).toBe('cancelling');
    expect(await claimStart(fresh.id, at(2_000))).toMatchObject({ claimed: true, step: null, execution: { status: 'cancelling' } });
    expect((await s.listStepAttempts(fresh.id)).map((x) => x.status)).toEqual(['running']);

    // Not yet due, unknown, and an exclusive claim while another run of the job is open.
    const later = (await newExecution(s, job.id, randomUUID(), at(60_000))).execution;
    expect(await claimStart(later.id, at(2_000))).toMatchObject({ claimed: false, reason: 'not_available_yet', step: null });
    expect(await claimStart(randomUUID(), at(2_000))).toEqual({ claimed: false, reason: 'not_claimable', execution: null, step: null });
    const queued = (await newExecution(s, job.id)).execution;
    expect(await claimStart(queued.id, at(2_000), { exclusive: true })).toMatchObject({ claimed: false, reason: 'overlap', step: null });
    const alone = await newJob(s);
    const only = (await newExecution(s, alone.id)).execution;
    expect(await claimStart(only.id, at(2_000), { exclusive: true, jobId: alone.id })).toMatchObject({ claimed: true, step: { attempt: 1, previousFailures: 0 } });
  });
}

/** `completeWithStepSuccess`, and folded claims and completions under concurrency. */
function foldedCases({ test }: SuiteContext): void {
  test('completes with the last step\'s success in one write; a stale token changes nothing', async (s) => {
    const job = await newJob(s);
    const { execution } = await newExecution(s, job.id);
    const first = await s.claimAndStartStep(execution.id, { owner: 'a', leaseMs: 1_000, now: at(0), exclusive: false, jobId: job.id, stepId: 's1' });
    if (!first.claimed || !first.step) throw new Error('claim failed');
    const second = await s.claimAndStartStep(execution.id, { owner: 'b', leaseMs: 10_000, now: at(2_000), exclusive: false, jobId: job.id, stepId: 's1' });
    if (!second.claimed || !second.step) throw new Error('reclaim failed');
    const ctx = (who: string) => ({ steps: { s1: { status: 'succeeded' as const, output: { who }, attempts: 2, finished_at: at(2_100).toISOString() } } });
    const before = await s.getExecution(execution.id);
    expect(await s.completeWithStepSuccess(execution.id, first.execution.fencingToken!, { stepId: 's1', attempt: 1, context: ctx('a'), now: at(2_100) })).toBe(false);
    expect(await s.getExecution(execution.id)).toEqual(before);
    expect(await s.completeWithStepSuccess(execution.id, second.execution.fencingToken!, { stepId: 's1', attempt: second.step.attempt, context: ctx('b'), now: at(2_200) })).toBe(true);
    expect(await s.getExecution(execution.id)).toMatchObject({ status: 'success', error: null, context: ctx('b'), currentStep: 's1', leaseOwner: null, leaseExpiresAt: null, finishedAt: at(2_200) });
    expect((await s.listStepAttempts(execution.id)).map((x) => [x.attempt, x.status])).toEqual([[1, 'abandoned'], [2, 'succeeded']]);
    expect(await s.completeWithStepSuccess(execution.id, second.execution.fencingToken!, { stepId: 's1', attempt: 2, context: ctx('b'), now: at(2_300) })).toBe(false);
  });

  test('answers many concurrent folded claims and completions as if each were alone', async (s) => {
    const job = await newJob(s);
    const ids = await Promise.all(Array.from({ length: 12 }, async () => (await newExecution(s, job.id)).execution.id));
    const claims = await Promise.all([
      ...ids.map((id, i) => s.claimAndStartStep(id, { owner: `w${i}`, leaseMs: 10_000, now: at(1), exclusive: false, jobId: job.id, stepId: 's1' })),
      s.claimAndStartStep(ids[0]!, { owner: 'late', leaseMs: 10_000, now: at(1), exclusive: false, jobId: job.id, stepId: 's1' }),
    ]);
    expect(claims.slice(0, 12).map((c) => c.claimed && c.step)).toEqual(ids.map(() => ({ attempt: 1, previousFailures: 0 })));
    expect(claims[12]).toMatchObject({ claimed: false, reason: 'not_claimable', step: null });
    const tokens = claims.slice(0, 12).map((c) => (c.claimed ? c.execution.fencingToken! : 0));
    expect(new Set(tokens).size).toBe(12);
    const ctx = (i: number) => ({ steps: { s1: { status: 'succeeded' as const, output: { i }, attempts: 1, finished_at: at(2).toISOString() } } });
    const done = await Promise.all(ids.map((id, i) => s.completeWithStepSuccess(id, i === 4 ? tokens[i]! + 1_000_000 : tokens[i]!, { stepId: 's1', attempt: 1, context: ctx(i), now: at(2) })));
    expect(done).toEqual(ids.map((_, i) => i !== 4));
    const rows = await Promise.all(ids.map((id) => s.getExecution(id)));
    expect(rows.map((e) => e?.status)).toEqual(ids.map((_, i) => (i === 4 ? 'running' : 'success')));
    expect(rows.map((e, i) => (i === 4 ? null : e?.context))).toEqual(ids.map((_, i) => (i === 4 ? null : ctx(i))));
  });
}

/** Fire-once schedule claims across concurrent schedulers, fire times and skipped fires. */
function scheduleCases({ test }: SuiteContext): void {
  test('fires each due instant once across 5 concurrent schedulers', async (s) => {
    const jobs = await Promise.all(Array.from({ length: 50 }, (_, i) => newJob(s, `due-${i}`, {}, at(0))));
    const decide = (): { fire: Date[]; skip: []; nextFireAt: Date } => ({ fire: [at(0)], skip: [], nextFireAt: at(60_000) });
    const created = (await Promise.all(Array.from({ length: 5 }, () => s.fireDueSchedules({ now: at(10), limit: 20, decide, newExecutionId: randomUUID })))).flat();
    let more = await s.fireDueSchedules({ now: at(10), limit: 100, decide, newExecutionId: randomUUID });
    while (more.length) {
      created.push(...more);
      more = await s.fireDueSchedules({ now: at(10), limit: 100, decide, newExecutionId: randomUUID });
    }
    expect(created).toHaveLength(50);
    expect(new Set(created.map((e) => e.jobId)).size).toBe(50);
    // Replaying the same instant (a scheduler that lost its update) creates nothing new.
    for (const j of jobs.slice(0, 3)) {
      const ledger = await s.listLedger(j.id);
      expect(ledger).toHaveLength(1);
      expect(ledger[0]).toMatchObject({ outcome: 'fired' });
    }
    expect(await s.fireDueSchedules({ now: at(30_000), limit: 100, decide, newExecutionId: randomUUID })).toHaveLength(0);
  });

  test('reports the next and last fire of each job (null when none); unknown ids are left out', async (s) => {
    const job = await newJob(s, 'timed', {}, at(0));
    const unscheduled = await newJob(s, 'manual-only');
    expect((await s.getFireTimes([job.id, unscheduled.id, randomUUID()])).sort((a, b) => (a.jobId === job.id ? -1 : b.jobId === job.id ? 1 : 0))).toEqual([
      { jobId: job.id, nextFireAt: at(0), lastFireAt: null },
      { jobId: unscheduled.id, nextFireAt: null, lastFireAt: null },
    ]);
    await s.fireDueSchedules({ now: at(5), limit: 10, newExecutionId: randomUUID, decide: () => ({ fire: [at(0)], skip: [], nextFireAt: at(60_000) }) });
    expect(await s.getFireTimes([job.id])).toEqual([{ jobId: job.id, nextFireAt: at(60_000), lastFireAt: at(0) }]);
    expect(await s.getFireTimes([])).toEqual([]);
  });

  test('records skipped fires in the ledger and advances the schedule', async (s) => {
    const job = await newJob(s, 'skipper', {}, at(0));
    await s.fireDueSchedules({ now: at(5), limit: 10, newExecutionId: randomUUID, decide: () => ({ fire: [], skip: [{ at: at(0), outcome: 'skipped', reason: 'overlap' }], nextFireAt: at(1000) }) });
    expect(await s.listLedger(job.id)).toEqual([expect.objectContaining({ outcome: 'skipped', reason: 'overlap', executionId: null })]);
    expect(await s.fireDueSchedules({ now: at(500), limit: 10, newExecutionId: randomUUID, decide: () => { throw new Error('not due'); } })).toEqual([]);
  });

  test('lists a fire from its execution (no ledger row of its own), with its reason, merged with the skips in instant order, by from, to and limit', async (s) => {
    for (const sharedDecision of [undefined, () => true]) {
      const job = await newJob(s, `listed-${sharedDecision ? 'shared' : 'each'}`, {}, at(0));
      const fire = (now: number, decision: FireDecision) => s.fireDueSchedules({ now: at(now), limit: 10, newExecutionId: randomUUID, decide: () => decision, ...(sharedDecision ? { sharedDecision } : {}) });
      const rowsBefore = await s.purgeLedger({ firedBefore: at(86_400_000), limit: 1_000, dryRun: true });
      const [shifted] = await fire(10, { fire: [{ at: at(0), reason: 'calendar x: moved' }], skip: [{ at: at(-60_000), outcome: 'missed', reason: 'catchup none' }], nextFireAt: at(60_000) });
      const [plain] = await fire(60_010, { fire: [at(60_000)], skip: [], nextFireAt: at(120_000) });
      await fire(120_010, { fire: [], skip: [{ at: at(120_000), outcome: 'skipped', reason: 'overlap' }], nextFireAt: at(180_000) });
      // Only the two non-fires are ledger rows.
      expect(await s.purgeLedger({ firedBefore: at(86_400_000), limit: 1_000, dryRun: true })).toBe(rowsBefore + 2);
      expect(shifted!.triggerMetadata).toEqual({ reason: 'calendar x: moved' });
      expect(await s.getExecution(shifted!.id)).toMatchObject({ triggerMetadata: { reason: 'calendar x: moved' } });
      expect(plain!.triggerMetadata).toEqual({});
      const all = [
        { jobId: job.id, fireAt: at(-60_000), outcome: 'missed', reason: 'catchup none', executionId: null, recordedAt: at(10) },
        { jobId: job.id, fireAt: at(0), outcome: 'fired', reason: 'calendar x: moved', executionId: shifted!.id, recordedAt: at(10) },
        { jobId: job.id, fireAt: at(60_000), outcome: 'fired', reason: null, executionId: plain!.id, recordedAt: at(60_010) },
        { jobId: job.id, fireAt: at(120_000), outcome: 'skipped', reason: 'overlap', executionId: null, recordedAt: at(120_010) },
      ];
      expect(await s.listLedger(job.id)).toEqual(all);
      expect(await s.listLedger(job.id, { from: at(0), to: at(120_000) })).toEqual(all.slice(1, 3));
      expect(await s.listLedger(job.id, { from: at(1), to: at(120_001) })).toEqual(all.slice(2));
      expect(await s.listLedger(job.id, { limit: 2 })).toEqual(all.slice(0, 2));
      expect(await s.listLedger(job.id, { from: at(-59_999), limit: 2 })).toEqual(all.slice(1, 3));
      expect(await s.listLedger(job.id, { from: new Date('0001-01-01T00:00:00.000Z'), to: new Date('9999-12-31T23:59:59.999Z') })).toEqual(all);
      expect(await s.listLedger(job.id, { from: at(60_000), to: at(60_000) })).toEqual([]);
    }
  });

  test('lists backfilled runs as fired (reason backfill); a manual run with a fire key, and an existing fired ledger row and its execution, are listed as before', async (s) => {
    const job = await newJob(s);
    const key = (ms: number) => `fire:${at(ms).toISOString()}`;
    const { execution: backfilled } = await s.createExecution({ id: randomUUID(), jobId: job.id, idempotencyKey: key(0), triggerSource: 'backfill', triggerMetadata: { backfill: {} }, scheduledFor: at(0), availableAt: at(50) }, at(50));
    await s.createExecution({ id: randomUUID(), jobId: job.id, idempotencyKey: key(60_000), triggerSource: 'manual', scheduledFor: at(60_000), availableAt: at(50) }, at(50));
    // Written before fires stopped writing ledger rows: the row is the entry, as it was written.
    const { execution: old } = await s.createExecution({ id: randomUUID(), jobId: job.id, idempotencyKey: key(120_000), triggerSource: 'scheduled', scheduledFor: at(120_000), availableAt: at(120_000) }, at(120_005));
    await s.recordLedger({ jobId: job.id, fireAt: at(120_000), outcome: 'fired', reason: 'calendar y: moved', executionId: old.id, recordedAt: at(120_006) });
    expect(await s.listLedger(job.id)).toEqual([
      { jobId: job.id, fireAt: at(0), outcome: 'fired', reason: 'backfill', executionId: backfilled.id, recordedAt: at(50) },
      { jobId: job.id, fireAt: at(120_000), outcome: 'fired', reason: 'calendar y: moved', executionId: old.id, recordedAt: at(120_006) },
    ]);
    // Ledger retention leaves a fire listed while its execution is kept.
    await s.purgeLedger({ firedBefore: at(86_400_000), limit: 100, jobId: job.id });
    expect((await s.listLedger(job.id)).map((l) => [l.fireAt, l.executionId, l.recordedAt])).toEqual([[at(0), backfilled.id, at(50)], [at(120_000), old.id, at(120_005)]]);
  });
}

/** The cluster state a claim reports (`fireState`): the pause, and the calendars when their version changed. */
function fireStateCases({ test }: SuiteContext): void {
  for (const shared of [false, true]) {
    test(`reports the pause and, when their version changed, the calendars with each claim, before its first decision (${shared ? 'shared' : 'per-row'} decisions)`, async (s) => {
      await newJob(s, 'stateful', { schedule: { type: 'cron', expression: '0 0 * * *' } }, at(0));
      let version: string | null = null;
      let seen: string[] = [];
      let k = 0;
      const claim = async (): Promise<FireState | undefined> => {
        seen = [];
        let state: FireState | undefined;
        const now = at(k * 1000 + 5);
        k += 1;
        await s.fireDueSchedules({
          now, limit: 10, newExecutionId: randomUUID, ...(shared ? { sharedDecision: () => true } : {}),
          fireState: { calendarsVersion: version, report: (st) => void (seen.push('report'), (state = st)) },
          decide: () => (seen.push('decide'), { fire: [], skip: [], nextFireAt: at(k * 1000) }),
        });
        if (state?.calendars) version = state.calendars.version;
        return state;
      };
      expect(await claim()).toEqual({ paused: false, calendars: { version: expect.any(String), list: [] } });
      expect(seen).toEqual(['report', 'decide']);
      expect(await claim()).toEqual({ paused: false, calendars: null });

      await s.setSchedulerPause({ since: at(1), by: null, reason: null });
      expect(await claim()).toEqual({ paused: true, calendars: null });
      await s.setSchedulerPause(null);

      await s.putCalendar('desk', { name: 'desk', excluded_dates: ['2026-06-30'] }, T0);
      expect(await claim()).toEqual({ paused: false, calendars: { version: expect.any(String), list: [{ name: 'desk', definition: { name: 'desk', excluded_dates: ['2026-06-30'] }, updatedAt: T0 }] } });
      const first = version;
      // Put again at the same instant: another version all the same.
      await s.putCalendar('desk', { name: 'desk', excluded_dates: ['2026-07-01'] }, T0);
      expect((await claim())?.calendars?.list).toEqual([expect.objectContaining({ definition: { name: 'desk', excluded_dates: ['2026-07-01'] } })]);
      expect(version).not.toBe(first);
      expect(await claim()).toEqual({ paused: false, calendars: null });

      await s.deleteCalendar('desk');
      expect(await claim()).toEqual({ paused: false, calendars: { version: expect.any(String), list: [] } });

      // Nothing due: nothing decided, nothing to report.
      seen = [];
      await s.fireDueSchedules({ now: at(0), limit: 10, newExecutionId: randomUUID, fireState: { calendarsVersion: null, report: () => seen.push('report') }, decide: () => { throw new Error('not due'); } });
      expect(seen).toEqual([]);
    });
  }
}

/** Shared decisions (`sharedDecision`): one decision per group of due schedules, applied set-based to each member. */
function sharedDecisionCases({ test }: SuiteContext): void {
  test('decides once per group that shares a decision and fires each member once across 5 concurrent schedulers, with the ids asked for', async (s) => {
    const jobs = await Promise.all(Array.from({ length: 60 }, (_, i) => newJob(s, `burst-${i}`, { schedule: { type: 'cron', expression: '0 0 * * *' } }, at(0))));
    let decisions = 0;
    const decide = (due: DueSchedule): FireDecision => {
      decisions += 1;
      expect(due).toMatchObject({ nextFireAt: at(0), enabled: true, pendingCount: 0, runningCount: 0 });
      return { fire: [at(0)], skip: [], nextFireAt: at(60_000) };
    };
    const issued = new Set<string>();
    const newExecutionId = (): string => {
      const id = randomUUID();
      issued.add(id);
      return id;
    };
    const args = { now: at(10), limit: 20, decide, newExecutionId, sharedDecision: () => true };
    const created = (await Promise.all(Array.from({ length: 5 }, () => s.fireDueSchedules(args)))).flat();
    let calls = 5;
    for (let more = await s.fireDueSchedules(args); more.length; more = await s.fireDueSchedules(args)) {
      created.push(...more);
      calls += 1;
    }
    calls += 1;
    expect(created).toHaveLength(60);
    expect(new Set(created.map((e) => e.jobId))).toEqual(new Set(jobs.map((j) => j.id)));
    expect(created.every((e) => issued.has(e.id) && e.idempotencyKey === `fire:${at(0).toISOString()}` && e.scheduledFor?.getTime() === at(0).getTime())).toBe(true);
    // One group per call at most: every member shares the definition, the instant and `enabled`.
    expect(decisions).toBeLessThanOrEqual(calls);
    expect(new Set(created.map((e) => e.id)).size).toBe(60);
    for (const e of created.slice(0, 3)) expect(await s.getExecution(e.id)).toMatchObject({ id: e.id, jobId: e.jobId, status: 'pending', triggerSource: 'scheduled' });
    for (const j of jobs.slice(0, 3)) expect(await s.listLedger(j.id)).toEqual([expect.objectContaining({ outcome: 'fired', fireAt: at(0) })]);
    expect(await s.getFireTimes([jobs[0]!.id])).toEqual([{ jobId: jobs[0]!.id, nextFireAt: at(60_000), lastFireAt: at(0) }]);
    expect(await s.fireDueSchedules({ ...args, now: at(30_000) })).toHaveLength(0);
  });

  test('applies a shared decision\'s fires and skips to every member, reports every skip through onSkipped, and decides the groups not shared per row', async (s) => {
    const cron = { schedule: { type: 'cron', expression: '0 0 * * *' } };
    const shared = await Promise.all([0, 1, 2].map((i) => newJob(s, `shared-${i}`, cron, at(0))));
    const own = await Promise.all([0, 1].map((i) => newJob(s, `own-${i}`, { ...cron, jitter_seconds: 5 }, at(0))));
    const seen: string[] = [];
    const skipped: FireSkip[] = [];
    const created = await s.fireDueSchedules({
      now: at(10), limit: 100, newExecutionId: randomUUID, markPublished: true,
      sharedDecision: (spec) => !spec.jitter_seconds,
      onSkipped: (x) => void skipped.push(...x),
      decide: (due) => {
        seen.push(due.definition.jitter_seconds ? 'own' : 'shared');
        return { fire: [{ at: at(0), reason: 'shifted by calendar' }], skip: [{ at: at(-60_000), outcome: 'missed', reason: 'catchup none' }], nextFireAt: at(60_000) };
      },
    });
    expect(seen.sort()).toEqual(['own', 'own', 'shared']);
    expect(created.map((e) => e.jobId).sort()).toEqual([...shared, ...own].map((j) => j.id).sort());
    expect(skipped.map((x) => x.jobId).sort()).toEqual([...shared, ...own].map((j) => j.id).sort());
    expect(skipped.every((x) => x.outcome === 'missed' && x.reason === 'catchup none' && x.fireAt.getTime() === at(-60_000).getTime())).toBe(true);
    for (const j of [shared[0]!, own[0]!]) {
      expect((await s.listLedger(j.id)).map((l) => [l.outcome, l.reason, l.fireAt.getTime()]).sort()).toEqual([
        ['fired', 'shifted by calendar', at(0).getTime()],
        ['missed', 'catchup none', at(-60_000).getTime()],
      ].sort());
    }
    // Written as published, like the per-row path.
    expect(await s.findExecutionsToDispatch({ now: at(20), republishAfterMs: 30_000, limit: 100 })).toEqual([]);
    expect((await s.getFireTimes(shared.map((j) => j.id))).map((t) => t.nextFireAt)).toEqual([at(60_000), at(60_000), at(60_000)]);
  });

  test('a shared decision that cancels open executions is made again per member', async (s) => {
    const jobs = await Promise.all([0, 1].map((i) => newJob(s, `cancel-${i}`, {}, at(0))));
    const asked: number[] = [];
    await s.fireDueSchedules({
      now: at(10), limit: 10, newExecutionId: randomUUID, sharedDecision: () => true,
      decide: (due) => {
        asked.push(due.pendingCount);
        return { fire: [at(0)], skip: [], nextFireAt: null, cancelOpen: true };
      },
    });
    expect(asked).toHaveLength(3);
    for (const j of jobs) expect(await s.listLedger(j.id)).toEqual([expect.objectContaining({ outcome: 'fired' })]);
  });
}

/** Cancellation and what the dispatcher publishes: pending, expired, published at the fire. */
function dispatchCases({ test }: SuiteContext): void {
  test('cancels a pending execution at once and asks a running one to stop', async (s) => {
    const job = await newJob(s);
    const pending = (await newExecution(s, job.id)).execution;
    expect(await s.requestCancel(pending.id, at(1))).toBe('cancelled');
    const running = (await newExecution(s, job.id)).execution;
    const c = await s.claimExecution(running.id, { owner: 'a', leaseMs: 10_000, now: at(0), exclusive: false });
    if (!c.claimed) throw new Error('claim failed');
    expect(await s.requestCancel(running.id, at(1))).toBe('cancelling');
    expect(await s.extendLease(running.id, c.execution.fencingToken!, { leaseMs: 10_000, now: at(2) })).toEqual({ ok: true, cancelRequested: true });
  });

  test('lists what to dispatch: unpublished pending and expired running, not recently published', async (s) => {
    const job = await newJob(s);
    const p = (await newExecution(s, job.id)).execution;
    const r = (await newExecution(s, job.id)).execution;
    await s.claimExecution(r.id, { owner: 'a', leaseMs: 1_000, now: at(0), exclusive: false });
    const ids = async (now: Date): Promise<string[]> => (await s.findExecutionsToDispatch({ now, republishAfterMs: 30_000, limit: 100 })).map((x) => x.id).sort();
    expect(await ids(at(10))).toEqual([p.id]);
    await s.markPublished([p.id], at(10));
    expect(await ids(at(20))).toEqual([]);
    expect(await ids(at(5_000))).toEqual([r.id]);
    expect((await ids(at(40_000))).length).toBe(2);
  });

  test('fires executions written as published when asked (nothing for the dispatcher until republishAfterMs); markUnpublished hands them back', async (s) => {
    const [a, b] = await Promise.all([newJob(s, 'stamped-a', {}, at(0)), newJob(s, 'stamped-b', {}, at(0))]);
    const created = await s.fireDueSchedules({
      now: at(5), limit: 10, newExecutionId: randomUUID, markPublished: true, decide: () => ({ fire: [at(0)], skip: [], nextFireAt: at(60_000) }),
    });
    expect(created.map((e) => e.jobId).sort()).toEqual([a!.id, b!.id].sort());
    const list = async (now: Date) => (await s.findExecutionsToDispatch({ now, republishAfterMs: 30_000, limit: 100 })).map((x) => [x.id, x.reason]);
    expect(await list(at(10))).toEqual([]);
    const [lost, sent] = created;
    await s.markUnpublished([lost!.id]);
    expect(await list(at(10))).toEqual([[lost!.id, 'new']]);
    // Stamped at the fire: a publish lost to a crash goes out again after republishAfterMs.
    expect((await list(at(30_006))).sort()).toEqual([[lost!.id, 'new'], [sent!.id, 'republish']].sort());
    // Only pending rows: a claimed one keeps its stamp.
    const c = await s.claimExecution(sent!.id, { owner: 'w', leaseMs: 60_000, now: at(20), exclusive: false });
    if (!c.claimed) throw new Error('claim failed');
    await s.markUnpublished([sent!.id]);
    expect((await list(at(30))).map((x) => x[0])).toEqual([lost!.id]);
    await s.markUnpublished([]);
  });

  test('creates an execution written as published when asked (nothing for the dispatcher until republishAfterMs); a duplicate keeps the first row', async (s) => {
    const job = await newJob(s);
    const mk = (key: string, markPublished?: boolean) =>
      s.createExecution({ id: randomUUID(), jobId: job.id, idempotencyKey: key, triggerSource: 'manual', availableAt: at(0) }, at(0), markPublished === undefined ? undefined : { markPublished });
    const [stamped, plain, unstamped] = await Promise.all([mk('stamped', true), mk('plain'), mk('unstamped', false)]);
    const list = async (now: Date) => (await s.findExecutionsToDispatch({ now, republishAfterMs: 30_000, limit: 100 })).map((x) => [x.id, x.reason]);
    expect((await list(at(10))).sort()).toEqual([[plain.execution.id, 'new'], [unstamped.execution.id, 'new']].sort());
    // An idempotent repeat of an unstamped row does not stamp it.
    const again = await mk('plain', true);
    expect(again.created).toBe(false);
    expect((await list(at(10))).map((x) => x[0])).toContain(plain.execution.id);
    // A publish lost to a crash goes out again after republishAfterMs; a failed one at once.
    expect((await list(at(30_001))).map((x) => x[0])).toContain(stamped.execution.id);
    await s.markUnpublished([stamped.execution.id]);
    expect(await list(at(10))).toContainEqual([stamped.execution.id, 'new']);
  });
}

/** Dispatch of expired leases and lost publishes, and requeues for a retry. */
function redispatchCases({ test }: SuiteContext): void {
  test('dispatches an expired lease at once, whatever republishAfterMs says, then not again until republishAfterMs', async (s) => {
    const job = await newJob(s);
    const e = (await newExecution(s, job.id)).execution;
    const list = (now: Date) => s.findExecutionsToDispatch({ now, republishAfterMs: 30_000, limit: 100 });
    await s.markPublished([e.id], at(0));
    const c = await s.claimExecution(e.id, { owner: 'dead', leaseMs: 1_000, now: at(100), exclusive: false });
    if (!c.claimed) throw new Error('claim failed');
    expect(await list(at(1_000))).toEqual([]); // lease still held
    const due = await list(at(1_200)); // expired 100 ms ago, published 1.2 s ago (< republishAfterMs)
    expect(due.map((x) => [x.id, x.fencingToken, x.reason])).toEqual([[e.id, c.execution.fencingToken, 'lease_expired']]);
    await s.markPublished([e.id], at(1_200));
    expect(await list(at(2_000))).toEqual([]); // published since the lease expired
    expect((await list(at(31_300))).map((x) => [x.id, x.reason])).toEqual([[e.id, 'lease_expired']]); // that publish was lost: republishAfterMs
    const never = (await newExecution(s, job.id)).execution;
    expect((await list(at(31_300))).find((x) => x.id === never.id)).toMatchObject({ fencingToken: null, reason: 'new' });
    // Published, never started: a re-publish after republishAfterMs (a lost message).
    await s.markPublished([never.id], at(31_300));
    expect((await list(at(61_400))).find((x) => x.id === never.id)?.reason).toBe('republish');
    // A retry or hand-back puts it back to pending unpublished: requeued.
    const c2 = await s.claimExecution(never.id, { owner: 'w', leaseMs: 10_000, now: at(61_500), exclusive: false });
    if (!c2.claimed) throw new Error('claim failed');
    expect(await s.requeueExecution(never.id, c2.execution.fencingToken!, { availableAt: at(61_600), incrementAttempt: false, error: null, context: c2.execution.context, now: at(61_600) })).toBe(true);
    expect((await list(at(61_700))).find((x) => x.id === never.id)?.reason).toBe('requeued');
  });

  test('requeues for a retry with a later available_at and a higher attempt', async (s) => {
    const job = await newJob(s);
    const e = (await newExecution(s, job.id)).execution;
    const c = await s.claimExecution(e.id, { owner: 'a', leaseMs: 10_000, now: at(0), exclusive: false });
    if (!c.claimed) throw new Error('claim failed');
    expect(await s.requeueExecution(e.id, c.execution.fencingToken!, { availableAt: at(5_000), incrementAttempt: true, error: { name: 'E', code: 'X', message: 'm', retryable: true }, context: { steps: {} }, now: at(10) })).toBe(true);
    const after = await s.getExecution(e.id);
    expect(after).toMatchObject({ status: 'pending', attempt: 2, leaseOwner: null });
    expect(after?.availableAt.toISOString()).toBe(at(5_000).toISOString());
  });
}

/** Listing executions and jobs: filters, the newest per job, search. */
function listCases({ test }: SuiteContext): void {
  test('filters executions by job, status and trigger source', async (s) => {
    const a = await newJob(s);
    const b = await newJob(s);
    await newExecution(s, a.id);
    await newExecution(s, a.id);
    const eb = (await newExecution(s, b.id)).execution;
    await s.requestCancel(eb.id, at(1));
    expect(await s.listExecutions({ jobId: a.id })).toHaveLength(2);
    expect(await s.listExecutions({ status: 'cancelled' })).toHaveLength(1);
    expect(await s.listExecutions({ status: ['pending', 'cancelled'], limit: 2 })).toHaveLength(2);
    expect(await s.listExecutions({ triggerSource: 'scheduled' })).toHaveLength(0);
  });

  test('lists the newest executions of each job in one read, per-job limit, newest first; own-scope filter by trigger metadata', async (s) => {
    const a = await newJob(s);
    const b = await newJob(s);
    const idle = await newJob(s);
    const made: Record<string, string[]> = { [a.id]: [], [b.id]: [] };
    for (let i = 0; i < 5; i++) {
      for (const job of [a, b]) {
        const { execution } = await s.createExecution({ id: randomUUID(), jobId: job.id, idempotencyKey: randomUUID(), triggerSource: 'manual', triggerMetadata: { by: i % 2 ? 'odd' : 'even' }, availableAt: T0 }, at(i * 1_000));
        made[job.id]!.push(execution.id);
      }
    }
    const rows = await s.listLatestExecutionsPerJob([a.id, b.id, idle.id, a.id], 3);
    const of = (jobId: string, list = rows): string[] => list.filter((e) => e.jobId === jobId).map((e) => e.id);
    expect(rows).toHaveLength(6);
    expect(of(a.id)).toEqual(made[a.id]!.slice(2).reverse());
    expect(of(b.id)).toEqual(made[b.id]!.slice(2).reverse());
    expect(of(idle.id)).toEqual([]);
    const odd = await s.listLatestExecutionsPerJob([a.id], 10, { triggerMetadata: { by: 'odd' } });
    expect(of(a.id, odd)).toEqual([made[a.id]![3], made[a.id]![1]]);
    expect(await s.listLatestExecutionsPerJob([], 3)).toEqual([]);
  });

  test('searches jobs by a part of the name, description or a tag, ignoring case; LIKE wildcards match literally', async (s) => {
    await newJob(s, 'Nightly-Settlement', { description: 'moves money at night', tags: ['bank'] });
    await newJob(s, 'report_100%', { tags: ['Finance'] });
    await newJob(s, 'cleanup');
    const names = async (search: string): Promise<string[]> => (await s.listJobs({ search })).map((j) => j.name);
    expect(await names('settle')).toEqual(['Nightly-Settlement']);
    expect(await names('MONEY')).toEqual(['Nightly-Settlement']);
    expect(await names('finance')).toEqual(['report_100%']);
    expect(await names('0%')).toEqual(['report_100%']);
    expect(await names('t_1')).toEqual(['report_100%']);
    expect(await names('%')).toEqual(['report_100%']);
    expect(await names('_')).toEqual(['report_100%']);
    expect(await names('nothing-like-this')).toEqual([]);
    expect(await s.listJobs({ search: 'E' })).toHaveLength(3);
    expect(await s.listJobs({ search: 'e', limit: 2 })).toHaveLength(2);
  });
}

/** Filters by replay and discard, and keyset paging of executions. */
function executionFilterCases({ test }: SuiteContext): void {
  test('filters executions by whether another execution replays them', async (s) => {
    const job = await newJob(s);
    const first = (await newExecution(s, job.id)).execution;
    const second = (await newExecution(s, job.id)).execution;
    const replay = await s.createExecution({ id: randomUUID(), jobId: job.id, idempotencyKey: randomUUID(), triggerSource: 'replay', availableAt: T0, replayOf: first.id }, T0);
    expect((await s.listExecutions({ jobId: job.id, replayed: true })).map((e) => e.id)).toEqual([first.id]);
    expect((await s.listExecutions({ jobId: job.id, replayed: false })).map((e) => e.id).sort()).toEqual([second.id, replay.execution.id].sort());
    expect(await s.listExecutions({ jobId: job.id })).toHaveLength(3);
  });

  test('filters executions by whether a dead letter was discarded', async (s) => {
    const job = await newJob(s);
    const e = (await newExecution(s, job.id)).execution;
    const claim = await s.claimExecution(e.id, { owner: 'w', leaseMs: 10_000, now: at(1), exclusive: false });
    if (!claim.claimed) throw new Error('claim failed');
    await s.completeExecution(e.id, claim.execution.fencingToken!, { status: 'dead_letter', error: null, context: { steps: {} }, now: at(2) });
    expect((await s.listExecutions({ jobId: job.id, discarded: false })).map((x) => x.id)).toEqual([e.id]);
    expect(await s.discardDeadLetter(e.id, { by: null, reason: 'test', now: at(3) })).toBe(true);
    expect(await s.listExecutions({ jobId: job.id, discarded: false })).toEqual([]);
    expect((await s.listExecutions({ jobId: job.id, discarded: true })).map((x) => x.id)).toEqual([e.id]);
  });

  test('pages executions by keyset (newest first, ties by id) with the same rows as offset paging', async (s) => {
    const job = await newJob(s);
    for (let i = 0; i < 7; i++) await newExecution(s, job.id);
    const all = await s.listExecutions({ jobId: job.id, limit: 100 });
    expect(all).toHaveLength(7);
    const seen: string[] = [];
    let after: { createdAt: Date; id: string } | undefined;
    for (;;) {
      const page = await s.listExecutions({ jobId: job.id, limit: 3, ...(after ? { after } : {}) });
      seen.push(...page.map((e) => e.id));
      if (page.length < 3) break;
      after = { createdAt: page[2]!.createdAt, id: page[2]!.id };
    }
    expect(seen).toEqual(all.map((e) => e.id));
  });
}

/** Variables per scope. */
function variableCases({ test }: SuiteContext): void {
  test('stores variables per scope', async (s) => {
    await s.setVariable({ scope: '', name: 'A', value: '1', sensitive: false, updatedAt: T0 });
    await s.setVariable({ scope: '', name: 'A', value: '2', sensitive: false, updatedAt: T0 });
    await s.setVariable({ scope: 'job-x', name: 'B', value: 'ct', sensitive: true, updatedAt: T0 });
    expect((await s.listVariables('')).map((v) => [v.name, v.value])).toEqual([['A', '2']]);
    expect(await s.listVariables()).toHaveLength(2);
    expect(await s.deleteVariable('job-x', 'B')).toBe(true);
    expect(await s.listVariables('job-x')).toEqual([]);
  });
}

/** Many concurrent calls, each answered as if it were alone (see the `batched*` phases below). */
function batchedCallCases({ test }: SuiteContext): void {
  test('answers each of many concurrent calls as if it were alone (adapters may batch them into one statement)', async (s) => {
    const made = await batchedCreates(s);
    const tokens = await batchedClaims(s, made);
    await batchedStepsAndLeases(s, made, tokens);
    await batchedCompletions(s, made, tokens);
    await batchedPublishesAndVariables(s, made);
  });
}

/** The executions the phases of the batched-calls case share. */
interface Batched {
  job: Job;
  other: Job;
  /** An execution that existed before the concurrent creates (then cancelled). */
  old: Execution;
  /** Twelve claimable executions, created concurrently. */
  ready: Execution[];
  /** One not available yet. */
  later: Execution;
  /** An id no execution has. */
  missing: string;
}

/** Concurrent creates (12 new, 3 repeats of one key, 1 key that already exists) and reads. */
async function batchedCreates(s: Storage): Promise<Batched> {
  const job = await newJob(s);
  const other = await newJob(s);
  // creates: 12 new, 3 repeats of one key, 1 key that already exists
  const old = (await newExecution(s, job.id, 'existing')).execution;
  const creates = await Promise.all([
    ...Array.from({ length: 12 }, (_, i) => newExecution(s, i % 2 ? job.id : other.id, `k${i}`)),
    ...Array.from({ length: 3 }, () => newExecution(s, job.id, 'repeat')),
    newExecution(s, job.id, 'existing'),
    newExecution(s, job.id, randomUUID(), at(60_000)),
  ]);
  expect(creates.slice(0, 12).every((c) => c.created)).toBe(true);
  expect(creates.slice(12, 15).filter((c) => c.created)).toHaveLength(1);
  expect(new Set(creates.slice(12, 15).map((c) => c.execution.id)).size).toBe(1);
  expect(creates[15]).toMatchObject({ created: false, execution: { id: old.id } });
  expect(creates.slice(0, 12).map((c) => [c.execution.jobId, c.execution.idempotencyKey])).toEqual(
    Array.from({ length: 12 }, (_, i) => [i % 2 ? job.id : other.id, `k${i}`]),
  );
  const ready = creates.slice(0, 12).map((c) => c.execution);
  const later = creates[16]!.execution;
  const missing = randomUUID();

  const reads = await Promise.all([...ready.map((e) => s.getExecution(e.id)), s.getExecution(missing)]);
  expect(reads.map((e) => e?.id ?? null)).toEqual([...ready.map((e) => e.id), null]);
  return { job, other, old, ready, later, missing };
}

/** Concurrent claims: 12 claimable, 1 not yet available, 1 unknown, 1 already finished. Returns the 12 tokens. */
async function batchedClaims(s: Storage, { old, ready, later, missing }: Batched): Promise<number[]> {
  // claims: 12 claimable, 1 not yet available, 1 unknown, 1 already finished
  await s.requestCancel(old.id, at(1));
  const claims = await Promise.all([
    ...ready.map((e, i) => s.claimExecution(e.id, { owner: `w${i}`, leaseMs: 10_000, now: at(5), exclusive: false })),
    s.claimExecution(later.id, { owner: 'w', leaseMs: 10_000, now: at(5), exclusive: false }),
    s.claimExecution(missing, { owner: 'w', leaseMs: 10_000, now: at(5), exclusive: false }),
    s.claimExecution(old.id, { owner: 'w', leaseMs: 10_000, now: at(5), exclusive: false }),
  ]);
  const tokens = claims.slice(0, 12).map((c, i) => {
    if (!c.claimed) throw new Error(`claim ${i} failed`);
    expect(c.execution).toMatchObject({ id: ready[i]!.id, status: 'running', leaseOwner: `w${i}` });
    return c.execution.fencingToken!;
  });
  expect(new Set(tokens).size).toBe(12);
  expect(claims[12]).toMatchObject({ claimed: false, reason: 'not_available_yet', execution: { id: later.id } });
  expect(claims[13]).toEqual({ claimed: false, reason: 'not_claimable', execution: null });
  expect(claims[14]).toMatchObject({ claimed: false, reason: 'not_claimable', execution: { status: 'cancelled' } });
  return tokens;
}

/** Concurrent step starts (one after a failed attempt) and lease extensions (one with a wrong token). */
async function batchedStepsAndLeases(s: Storage, { ready, later }: Batched, tokens: number[]): Promise<void> {
  // a failed first attempt on execution 0, so its next attempt reports it
  const first = await s.startStepAttempt(ready[0]!.id, tokens[0]!, 's1', at(6));
  expect(first).toEqual({ attempt: 1, previousFailures: 0 });
  await s.finishStepAttempt(ready[0]!.id, tokens[0]!, { stepId: 's1', attempt: 1, status: 'failed', error: null, retryDelayMs: 1, now: at(7) });
  const starts = await Promise.all([
    ...ready.map((e, i) => s.startStepAttempt(e.id, tokens[i]!, 's1', at(10))),
    s.startStepAttempt(later.id, 1, 's1', at(10)),
  ]);
  expect(starts).toEqual([{ attempt: 2, previousFailures: 1 }, ...Array.from({ length: 11 }, () => ({ attempt: 1, previousFailures: 0 })), null]);

  const leases = await Promise.all([
    ...ready.map((e, i) => s.extendLease(e.id, tokens[i]!, { leaseMs: 20_000, now: at(11) })),
    s.extendLease(ready[0]!.id, tokens[0]! + 1_000_000, { leaseMs: 20_000, now: at(11) }),
  ]);
  expect(leases).toEqual([...ready.map(() => ({ ok: true, cancelRequested: false })), { ok: false, cancelRequested: false }]);
}

/** Concurrent step successes and completions, one of each with a wrong token. */
async function batchedCompletions(s: Storage, { ready }: Batched, tokens: number[]): Promise<void> {
  const ctx = (i: number) => ({ steps: { s1: { status: 'succeeded' as const, output: { i, text: `dòng "${i}" \\ {}` }, attempts: 1, finished_at: at(12).toISOString() } } });
  const successes = await Promise.all(ready.map((e, i) => s.recordStepSuccess(e.id, i === 3 ? tokens[i]! + 1_000_000 : tokens[i]!, { stepId: 's1', attempt: i === 0 ? 2 : 1, context: ctx(i), now: at(12) })));
  expect(successes).toEqual(ready.map((_, i) => i !== 3));

  const completions = await Promise.all(
    ready.map((e, i) => s.completeExecution(e.id, i === 5 ? tokens[i]! - 1 : tokens[i]!, {
      status: i % 3 ? 'success' : 'failed', error: i % 3 ? null : { name: 'E', code: 'X', message: `m${i}`, retryable: false }, context: ctx(i), now: at(13),
    })),
  );
  expect(completions).toEqual(ready.map((_, i) => i !== 5));
  const after = await Promise.all(ready.map((e) => s.getExecution(e.id)));
  after.forEach((e, i) => {
    if (i === 5) return expect(e?.status).toBe('running');
    expect(e).toMatchObject({ status: i % 3 ? 'success' : 'failed', context: ctx(i), leaseOwner: null, error: i % 3 ? null : { message: `m${i}` } });
  });
  const attempts = await Promise.all(ready.map((e) => s.listStepAttempts(e.id)));
  expect(attempts.map((a) => a.map((x) => x.status))).toEqual(ready.map((_, i) => (i === 0 ? ['failed', 'succeeded'] : i === 3 ? ['running'] : ['succeeded'])));
}

/** Concurrent markPublished calls, then concurrent variable reads over several scopes. */
async function batchedPublishesAndVariables(s: Storage, { job, other, ready, later }: Batched): Promise<void> {
  await Promise.all([s.markPublished([ready[5]!.id], at(14)), s.markPublished([later.id, ready[5]!.id], at(15)), s.markPublished([], at(15))]);
  const toDispatch = (await s.findExecutionsToDispatch({ now: at(16), republishAfterMs: 1_000, limit: 100 })).map((x) => x.id);
  expect(toDispatch).not.toContain(later.id);

  await s.setVariable({ scope: '', name: 'G', value: 'g', sensitive: false, updatedAt: T0 });
  await s.setVariable({ scope: `job:${job.id}`, name: 'J', value: 'j', sensitive: false, updatedAt: T0 });
  const vars = await Promise.all([s.listVariables(['', `job:${job.id}`]), s.listVariables(['']), s.listVariables([`job:${other.id}`]), s.listVariables(['', `job:${job.id}`])]);
  expect(vars.map((v) => v.map((x) => x.name))).toEqual([['G', 'J'], ['G'], [], ['G', 'J']]);
  expect(vars[0]![0]).not.toBe(vars[3]![0]);
}

/** An execution of `jobId` claimed and finished with `status` at `at(atMs)`. */
async function finished(s: Storage, jobId: string, status: 'success' | 'failed' | 'dead_letter', atMs: number): Promise<string> {
  const { execution } = await newExecution(s, jobId);
  const c = await s.claimExecution(execution.id, { owner: 'w', leaseMs: 10_000, now: at(1), exclusive: false });
  expect(await s.completeExecution(execution.id, c.claimed ? c.execution.fencingToken! : -1, { status, error: null, context: { steps: {} }, now: at(atMs) })).toBe(true);
  return execution.id;
}

/** The cluster-wide scheduler pause and step log lines. */
function pauseAndLogCases({ test }: SuiteContext): void {
  test('stores, replaces and lifts the cluster-wide scheduler pause', async (s) => {
    expect(await s.getSchedulerPause()).toBeNull();
    await s.setSchedulerPause({ since: at(1), by: 'ops', reason: 'upgrade' });
    expect(await s.getSchedulerPause()).toEqual({ since: at(1), by: 'ops', reason: 'upgrade' });
    await s.setSchedulerPause({ since: at(2), by: null, reason: null });
    expect(await s.getSchedulerPause()).toEqual({ since: at(2), by: null, reason: null });
    await s.setSchedulerPause(null);
    expect(await s.getSchedulerPause()).toBeNull();
  });

  test('stores step log lines per attempt, once each, pages them by id and removes them with the execution', async (s) => {
    const job = await newJob(s);
    const { execution } = await newExecution(s, job.id);
    const { execution: other } = await newExecution(s, job.id);
    const line = (stepId: string, attempt: number, seq: number, extra: Partial<StepLogLine> = {}): StepLogLine => ({
      executionId: execution.id, stepId, attempt, seq, at: at(seq), level: 'info', message: `${stepId}#${attempt} line ${seq}`, fields: null, ...extra,
    });
    await s.appendStepLogs([]);
    await s.appendStepLogs([
      line('extract', 1, 1, { fields: { rows: 12, nested: { ok: true }, list: [1, 'two'] } }),
      line('extract', 1, 2, { level: 'error', message: 'ünïcode ✓ and "quotes"' }),
      line('extract', 2, 1),
      { ...line('load', 1, 1), executionId: other.id },
    ]);
    // Written twice (a retried batch): kept once. A line of an unknown execution is dropped, not an error.
    await s.appendStepLogs([line('extract', 1, 2, { message: 'again' }), line('load', 1, 1), { ...line('x', 1, 1), executionId: randomUUID() }]);
    const all = await s.listStepLogs(execution.id);
    expect(all.map((l) => [l.stepId, l.attempt, l.seq])).toEqual([['extract', 1, 1], ['extract', 1, 2], ['extract', 2, 1], ['load', 1, 1]]);
    expect(all[0]).toMatchObject({ executionId: execution.id, level: 'info', at: at(1), fields: { rows: 12, nested: { ok: true }, list: [1, 'two'] } });
    expect(all[1]).toMatchObject({ level: 'error', message: 'ünïcode ✓ and "quotes"', fields: null });
    const ids = all.map((l) => l.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(await s.listStepLogs(execution.id, { stepId: 'extract', attempt: 2 })).toHaveLength(1);
    // Ids past 9 and 99 still come in number order (not as text).
    await s.appendStepLogs(Array.from({ length: 120 }, (_, i) => line('many', 1, i + 1)));
    expect((await s.listStepLogs(execution.id, { stepId: 'many' })).map((l) => l.seq)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    const page1 = await s.listStepLogs(execution.id, { limit: 2 });
    const page2 = await s.listStepLogs(execution.id, { limit: 2, after: page1[1]!.id });
    expect([...page1, ...page2].map((l) => l.id)).toEqual(ids);
    expect(await s.listStepLogs(execution.id, { after: ids[3]! })).toHaveLength(120);
    expect(await s.listStepLogs(other.id)).toHaveLength(1);
    expect(await s.listStepLogs(randomUUID())).toEqual([]);
    expect(await s.deleteJob(job.id)).toBe(true);
    expect(await s.listStepLogs(execution.id)).toEqual([]);
  });
}

/** Dead letters: listing, discarding, and purging them and their replays. */
function deadLetterCases({ test }: SuiteContext): void {
  test('lists open dead letters (not discarded, not replayed) and discards one only while it is open', async (s) => {
    const job = await newJob(s);
    const dead = async (): Promise<string> => {
      const { execution } = await newExecution(s, job.id);
      const c = await s.claimExecution(execution.id, { owner: 'w', leaseMs: 10_000, now: at(1), exclusive: false });
      expect(await s.completeExecution(execution.id, c.claimed ? c.execution.fencingToken! : -1, { status: 'dead_letter', error: null, context: { steps: {} }, now: at(2) })).toBe(true);
      return execution.id;
    };
    const [a, b, c] = [await dead(), await dead(), await dead()];
    const { execution: running } = await newExecution(s, job.id);
    expect((await s.listDeadLetters()).map((e) => e.id).sort()).toEqual([a, b, c].sort());
    expect((await s.listDeadLetters({ id: running.id }))).toEqual([]);
    await s.createExecution({ id: randomUUID(), jobId: job.id, idempotencyKey: 'replay', triggerSource: 'manual', availableAt: T0, replayOf: b }, T0);
    expect(await s.discardDeadLetter(a, { by: null, reason: 'known issue', now: at(3) })).toBe(true);
    expect(await s.discardDeadLetter(a, { by: null, reason: 'again', now: at(4) })).toBe(false);
    expect(await s.discardDeadLetter(b, { by: null, reason: 'replayed', now: at(4) })).toBe(false);
    expect(await s.discardDeadLetter(running.id, { by: null, reason: 'not dead', now: at(4) })).toBe(false);
    expect((await s.listDeadLetters({ jobId: job.id })).map((e) => e.id)).toEqual([c]);
    expect((await s.getExecution(a))?.status).toBe('dead_letter');
  });

  test('purges finished executions older than a bound in batches; never an open one, nor an unhandled dead letter', async (s) => {
    const job = await newJob(s);
    const finish = (status: 'success' | 'failed' | 'dead_letter', atMs: number) => finished(s, job.id, status, atMs);
    const old = [await finish('success', 10), await finish('failed', 20), await finish('success', 30)];
    const oldDead = await finish('dead_letter', 40);
    const handledDead = await finish('dead_letter', 50);
    await s.discardDeadLetter(handledDead, { by: null, reason: 'known', now: at(60) });
    const recent = await finish('success', 10_000);
    const { execution: pending } = await newExecution(s, job.id);
    const { execution: running } = await newExecution(s, job.id);
    await s.claimExecution(running.id, { owner: 'w', leaseMs: 10_000, now: at(1), exclusive: false });
    const bound = at(5_000);
    expect(await s.purgeExecutions({ finishedBefore: bound, limit: 100, dryRun: true })).toEqual({ count: 4, executions: [] });
    const first = await s.purgeExecutions({ finishedBefore: bound, limit: 3 });
    expect(first.count).toBe(3);
    expect(first.executions).toEqual(old.map((id) => ({ id, jobId: job.id })));
    expect((await s.purgeExecutions({ finishedBefore: bound, limit: 3 })).executions).toEqual([{ id: handledDead, jobId: job.id }]);
    expect((await s.purgeExecutions({ finishedBefore: bound, limit: 3 })).count).toBe(0);
    for (const id of [...old, handledDead]) expect(await s.getExecution(id)).toBeNull();
    for (const id of [oldDead, recent, pending.id, running.id]) expect(await s.getExecution(id)).not.toBeNull();
    expect(await s.listStepAttempts(old[0]!)).toEqual([]);
  });

  test('purges a replay only after the dead letter it replayed, which never comes back to the dead-letter queue', async (s) => {
    const job = await newJob(s);
    const dead = await finished(s, job.id, 'dead_letter', 10);
    const replay = randomUUID();
    await s.createExecution({ id: replay, jobId: job.id, idempotencyKey: 'replay', triggerSource: 'replay', availableAt: at(20), replayOf: dead }, at(20));
    const c = await s.claimExecution(replay, { owner: 'w', leaseMs: 10_000, now: at(20), exclusive: false });
    expect(await s.completeExecution(replay, c.claimed ? c.execution.fencingToken! : -1, { status: 'success', error: null, context: { steps: {} }, now: at(30) })).toBe(true);
    // Keep none: the dead letter goes first; the replay waits for the next batch.
    expect((await s.purgeExecutionsBeyond({ jobId: job.id, keepLast: 0, limit: 100 })).executions).toEqual([{ id: dead, jobId: job.id }]);
    expect(await s.listDeadLetters({ jobId: job.id })).toEqual([]);
    expect((await s.purgeExecutions({ finishedBefore: at(100), limit: 100 })).executions).toEqual([{ id: replay, jobId: job.id }]);
  });
}

/** Retention: purges by age per job, keep-last-N, and the fire ledger. */
function retentionCases({ test }: SuiteContext): void {
  test('purges by age within one job or outside the excepted jobs', async (s) => {
    const [a, b] = [await newJob(s), await newJob(s)];
    const oldA = await finished(s, a.id, 'success', 10);
    const oldB = await finished(s, b.id, 'success', 10);
    expect((await s.purgeExecutions({ finishedBefore: at(100), limit: 10, exceptJobIds: [a.id] })).executions).toEqual([{ id: oldB, jobId: b.id }]);
    expect((await s.purgeExecutions({ finishedBefore: at(100), limit: 10, jobId: b.id })).count).toBe(0);
    expect((await s.purgeExecutions({ finishedBefore: at(100), limit: 10, jobId: a.id })).executions).toEqual([{ id: oldA, jobId: a.id }]);
  });

  test('keeps the newest N finished executions of a job; open dead letters count and stay, open executions are not counted', async (s) => {
    const job = await newJob(s);
    const other = await newJob(s);
    const otherOld = await finished(s, other.id, 'success', 5);
    const ids: string[] = [];
    for (let i = 1; i <= 6; i++) ids.push(await finished(s, job.id, i === 2 ? 'dead_letter' : 'success', i * 10));
    const { execution: pending } = await newExecution(s, job.id);
    // Keep 3: the newest three (40, 50, 60) stay; of 10, 20 (open dead letter), 30 two go.
    expect(await s.purgeExecutionsBeyond({ jobId: job.id, keepLast: 3, limit: 100, dryRun: true })).toEqual({ count: 2, executions: [] });
    expect((await s.purgeExecutionsBeyond({ jobId: job.id, keepLast: 3, limit: 1 })).executions).toEqual([{ id: ids[0], jobId: job.id }]);
    expect((await s.purgeExecutionsBeyond({ jobId: job.id, keepLast: 3, limit: 100 })).executions).toEqual([{ id: ids[2], jobId: job.id }]);
    expect((await s.purgeExecutionsBeyond({ jobId: job.id, keepLast: 3, limit: 100 })).count).toBe(0);
    for (const id of [ids[1]!, ...ids.slice(3), pending.id, otherOld]) expect(await s.getExecution(id)).not.toBeNull();
    expect((await s.purgeExecutionsBeyond({ jobId: job.id, keepLast: 10, limit: 100 })).count).toBe(0);
  });

  test('purges fire-ledger rows older than a bound in batches, per job or outside the excepted jobs', async (s) => {
    const [a, b] = [await newJob(s), await newJob(s)];
    for (const job of [a, b]) {
      for (const ms of [1_000, 2_000, 3_000, 60_000]) await s.recordLedger({ jobId: job.id, fireAt: at(ms), outcome: 'skipped', reason: 'paused', executionId: null, recordedAt: at(ms) });
    }
    expect(await s.purgeLedger({ firedBefore: at(10_000), limit: 100, dryRun: true })).toBe(6);
    expect(await s.purgeLedger({ firedBefore: at(10_000), limit: 2, exceptJobIds: [b.id] })).toBe(2);
    expect(await s.purgeLedger({ firedBefore: at(10_000), limit: 100, jobId: a.id })).toBe(1);
    expect((await s.listLedger(a.id)).map((l) => l.fireAt)).toEqual([at(60_000)]);
    expect(await s.purgeLedger({ firedBefore: at(10_000), limit: 100 })).toBe(3);
    expect((await s.listLedger(b.id)).map((l) => l.fireAt)).toEqual([at(60_000)]);
  });
}

/** Metrics counts, compare-and-set of a variable, attached schemas and an idempotent `close()`. */
function lifecycleCases({ test }: SuiteContext): void {
  test('counts executions for metrics (pending, running, oldest due, dead letters) and the leases each worker holds', async (s) => {
    const job = await newJob(s);
    const pending = await Promise.all([0, 1, 2].map(() => newExecution(s, job.id)));
    const claim = (id: string, owner: string) => s.claimExecution(id, { owner, leaseMs: 3_600_000 * 24 * 365 * 100, now: at(1), exclusive: false });
    await claim(pending[0]!.execution.id, 'w1');
    await claim(pending[1]!.execution.id, 'w2');
    const stats = await s.executionStats();
    expect(stats).toMatchObject({ pending: 1, running: 2, deadLetters: 0 });
    // T0 is in the past of the database's clock: the pending one is due and has waited.
    expect(stats.oldestDuePendingSeconds).toBeGreaterThan(0);
    expect(await s.countHeldExecutions()).toEqual({ w1: 1, w2: 1 });
  });

  test('replaces a variable value only while it is unchanged', async (s) => {
    await s.setVariable({ scope: '', name: 'K', value: 'old', sensitive: true, updatedAt: T0 });
    expect(await s.replaceVariableValue('', 'K', { from: 'other', to: 'new' })).toBe(false);
    expect(await s.replaceVariableValue('', 'K', { from: 'old', to: 'new' })).toBe(true);
    expect(await s.replaceVariableValue('', 'MISSING', { from: 'old', to: 'new' })).toBe(false);
    expect((await s.listVariables('')).map((v) => [v.name, v.value, v.updatedAt.toISOString()])).toEqual([['K', 'new', T0.toISOString()]]);
  });

  test('attaches another owner\'s tables and lists every applied migration by owner', async (s) => {
    const owner = `conformance-${randomUUID().slice(0, 8)}`;
    const sql = await s.attachSchema({ owner, migrations: [{ id: 1, name: 'notes', sql: `CREATE TABLE IF NOT EXISTS conformance_notes (id int)` }] });
    await sql.query('INSERT INTO conformance_notes (id) VALUES (1)');
    const applied = await s.listMigrations();
    expect(applied.filter((m) => m.owner === owner).map((m) => m.id)).toEqual([1]);
    expect(applied.some((m) => m.owner === 'vecron' && m.id === 1)).toBe(true);
    await expect(s.attachSchema({ owner, migrations: [] })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  test('close() can be called twice', async (s) => {
    await s.close();
    await s.close();
  });
}
