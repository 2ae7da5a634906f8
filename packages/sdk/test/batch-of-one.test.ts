/**
 * The batch of one (docs/architecture.md#storage): the worker's two folded statements
 * (claim with the step's start, step success with the completion) run a lone item over scalar
 * parameters and a batch over arrays (`inputStatement`). On PGlite and PostgreSQL, one item
 * takes the one-row statement, and it gives exactly what the array statement gives for the same
 * item: the same result and the same rows after, for claims that win, reclaim an expired lease,
 * skip a finished step, or are refused (live lease, not yet available, finished, unknown id), and
 * for completions under the live token, a wrong one, a reclaimed one, an expired lease, a wrong
 * attempt number and an execution already finished.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseJobDefinition } from '../src/index.js';
import type { Storage } from '../src/index.js';
import { sqlClientOf } from '../src/internal/storage-internals.js';
import { sqlStorageBackends } from './helpers/sql-storage-backends.js';
import type { SqlClient } from '../src/storage/sql/sql-client.js';
import { claimAndStartSteps, completeWithStepSuccesses, type ClaimStartInput, type StepCompletionInput } from '../src/storage/sql/statements/folded.js';

const T0 = new Date('2026-01-05T02:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);
const done = { steps: { s1: { status: 'succeeded' as const, output: null, attempts: 1, finished_at: T0.toISOString() } } };

const backends = sqlStorageBackends('one');

/** A client that records the text of every statement it runs. */
function recording(db: SqlClient): { db: SqlClient; texts: string[] } {
  const texts: string[] = [];
  return {
    texts,
    db: { query: (text, params, options) => (texts.push(text), db.query(text, params, options)), exec: (t) => db.exec(t), transaction: (fn) => db.transaction(fn) },
  };
}

const ONE_ROW = /\(SELECT \$1::uuid AS x_id, /;
const ARRAYS = /unnest\(\$1::uuid\[\]/;

describe.each(backends)('batch of one: %s', (_name, create) => {
  /** Two stores with the same job and the same executions in the same states, by `prepare`. */
  async function twins(prepare: (s: Storage, jobId: string, ids: Record<string, string>) => Promise<Record<string, unknown>>, names: string[]) {
    const jobId = randomUUID();
    const ids = Object.fromEntries(names.map((n) => [n, randomUUID()]));
    const worlds = [];
    for (let w = 0; w < 2; w++) {
      const s = await create();
      await s.createJob({ id: jobId, definition: parseJobDefinition({ name: `one-${jobId.slice(0, 8)}`, steps: [{ id: 's1', type: 'echo', config: {} }] }), now: T0, anchorAt: T0, nextFireAt: null });
      for (const n of names) {
        if (n === 'unknown') continue;
        await s.createExecution({ id: ids[n]!, jobId, idempotencyKey: n, triggerSource: 'manual', availableAt: n === 'later' ? at(3_600_000) : T0 }, T0);
      }
      worlds.push({ s, db: sqlClientOf(s), extra: await prepare(s, jobId, ids) });
    }
    return { jobId, ids, worlds: worlds as [typeof worlds[0], typeof worlds[0]] };
  }

  /** The rows of the executions and their attempts after, with each token as whether it is the row's token (the numbers differ between stores). */
  async function rowsOf(db: SqlClient, ids: Record<string, string>) {
    const { rows } = await db.query<Record<string, unknown>>(
      `SELECT id, status, lease_owner, lease_expires_at, started_at, finished_at, current_step, context, error,
              fencing_token IS NOT NULL AS has_token, latest_attempt_step_id, latest_attempt_no, latest_attempt_status,
              latest_attempt_token = fencing_token AS held_under_token, latest_attempt_started_at, latest_attempt_finished_at
       FROM vecron_executions WHERE id = ANY($1::uuid[])`, [Object.values(ids)]);
    const { rows: attempts } = await db.query<Record<string, unknown>>(
      'SELECT execution_id, step_id, attempt, status, finished_at FROM vecron_step_attempts WHERE execution_id = ANY($1::uuid[]) ORDER BY execution_id, step_id, attempt', [Object.values(ids)]);
    const name = new Map(Object.entries(ids).map(([n, id]) => [id, n]));
    return {
      executions: Object.fromEntries(rows.map((r) => [name.get(String(r.id)), { ...r, id: undefined }])),
      attempts: attempts.map((a) => ({ ...a, execution_id: name.get(String(a.execution_id)) })),
    };
  }

  it('claim with the step start: one item runs the one-row statement, with the result and rows of the array statement', async () => {
    const names = ['pending', 'later', 'live', 'expired', 'finishedStep', 'finished', 'unknown'];
    const { jobId, ids, worlds } = await twins(async (s, job, id) => {
      const claim = (n: string, leaseMs: number) => s.claimAndStartStep(id[n]!, { owner: 'old', leaseMs, now: T0, exclusive: false, jobId: job, stepId: 's1' });
      await claim('live', 3_600_000);
      await claim('expired', 1_000);
      const f = await claim('finished', 3_600_000);
      if (!f.claimed || !f.step) throw new Error('not claimed');
      await s.completeWithStepSuccess(id.finished!, f.execution.fencingToken!, { stepId: 's1', attempt: f.step.attempt, context: done, now: T0 });
      await sqlClientOf(s).query('UPDATE vecron_executions SET context = $2::jsonb WHERE id = $1', [id.finishedStep, JSON.stringify(done)]);
      return {};
    }, names);
    const items: ClaimStartInput[] = names.map((n) => ({ id: ids[n]!, owner: 'w', leaseMs: 30_000, now: at(60_000), jobId, stepId: 's1' }));

    const one = recording(worlds[0].db);
    const singles = [];
    for (const item of items) singles.push(await claimAndStartSteps(one.db, [item]));
    const many = recording(worlds[1].db);
    const batch = await claimAndStartSteps(many.db, items);

    expect(one.texts.filter((t) => /nextval\('vecron_fencing_seq'\)/.test(t)).every((t) => ONE_ROW.test(t) && !ARRAYS.test(t))).toBe(true);
    expect(many.texts.filter((t) => /nextval\('vecron_fencing_seq'\)/.test(t)).every((t) => ARRAYS.test(t) && !ONE_ROW.test(t))).toBe(true);
    const shape = (r: Awaited<ReturnType<typeof claimAndStartSteps>>[number]) => ({
      claimed: r.claimed, reason: r.claimed ? undefined : r.reason, step: r.step, status: r.execution?.status ?? null,
      hasToken: r.execution?.fencingToken !== null && r.execution?.fencingToken !== undefined, owner: r.execution?.leaseOwner ?? null,
    });
    const got = singles.map((r) => shape(r[0]!));
    expect(got).toEqual(batch.map(shape));
    // The cases are what their names say.
    expect(Object.fromEntries(names.map((n, i) => [n, got[i]!.claimed ? `claimed, step ${JSON.stringify(got[i]!.step)}` : got[i]!.reason]))).toEqual({
      pending: 'claimed, step {"attempt":1,"previousFailures":0}', later: 'not_available_yet', live: 'not_claimable',
      expired: 'claimed, step {"attempt":2,"previousFailures":0}', finishedStep: 'claimed, step null', finished: 'not_claimable', unknown: 'not_claimable',
    });
    expect(await rowsOf(worlds[0].db, ids)).toEqual(await rowsOf(worlds[1].db, ids));
    expect((await rowsOf(worlds[0].db, ids)).attempts).toEqual([expect.objectContaining({ execution_id: 'expired', attempt: 1, status: 'abandoned' })]);
  });

  it('step success with the completion: one item runs the one-row statement, with the result and rows of the array statement', async () => {
    const names = ['live', 'wrongToken', 'wrongAttempt', 'reclaimed', 'expired', 'finished'];
    const { ids, worlds } = await twins(async (s, job, id) => {
      const claim = (n: string, leaseMs: number, now = T0) => s.claimAndStartStep(id[n]!, { owner: 'w', leaseMs, now, exclusive: false, jobId: job, stepId: 's1' });
      const held: Record<string, { token: number; attempt: number }> = {};
      for (const n of names) {
        const c = await claim(n, n === 'reclaimed' || n === 'expired' ? 1_000 : 3_600_000);
        if (!c.claimed || !c.step) throw new Error('not claimed');
        held[n] = { token: c.execution.fencingToken!, attempt: c.step.attempt };
      }
      expect((await claim('reclaimed', 3_600_000, at(60_000))).claimed).toBe(true);
      expect(await s.completeWithStepSuccess(id.finished!, held.finished!.token, { stepId: 's1', attempt: held.finished!.attempt, context: done, now: T0 })).toBe(true);
      return held;
    }, names);
    const itemsOf = (held: Record<string, unknown>): StepCompletionInput[] => names.map((n) => {
      const h = held[n] as { token: number; attempt: number };
      return { id: ids[n]!, token: n === 'wrongToken' ? h.token + 1_000 : h.token, stepId: 's1', attempt: n === 'wrongAttempt' ? h.attempt + 1 : h.attempt, context: done, now: at(120_000) };
    });

    const one = recording(worlds[0].db);
    const singles: boolean[] = [];
    for (const item of itemsOf(worlds[0].extra)) singles.push(...(await completeWithStepSuccesses(one.db, [item])));
    const many = recording(worlds[1].db);
    const batch = await completeWithStepSuccesses(many.db, itemsOf(worlds[1].extra));

    expect(one.texts.length).toBe(names.length);
    expect(one.texts.every((t) => ONE_ROW.test(t) && !ARRAYS.test(t))).toBe(true);
    expect(many.texts.length).toBe(1);
    expect(ARRAYS.test(many.texts[0]!)).toBe(true);
    expect(singles).toEqual(batch);
    expect(Object.fromEntries(names.map((n, i) => [n, singles[i]]))).toEqual({ live: true, wrongToken: false, wrongAttempt: true, reclaimed: false, expired: true, finished: false });
    expect(await rowsOf(worlds[0].db, ids)).toEqual(await rowsOf(worlds[1].db, ids));
  });
});
