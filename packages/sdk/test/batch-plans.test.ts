/**
 * The plans PostgreSQL runs the worker's two batched writes with (claim with the step's start,
 * step success with the completion) on a batch of 100: the generic plan of the prepared
 * statement, which takes any array for 10 elements. Each row of the batch must reach its
 * execution by the primary key; a nested loop that compares every input row with every locked
 * row (batch² comparisons, seen as rows a join filter removes) cost more server CPU per execution
 * than the update itself. One pooled connection (`poolMax: 1`), so the protocol-level prepared
 * statements of the storage can be run with `EXPLAIN ANALYZE EXECUTE`.
 */
import { randomUUID } from 'node:crypto';
import { testServers } from '@vecron/test-servers';
import { afterEach, describe, expect, it } from 'vitest';
import { parseJobDefinition } from '../src/index.js';
import type { Storage } from '../src/index.js';
import { postgresStorage } from '../src/adapters/postgres/index.js';
import type { PostgresStorage } from '../src/adapters/postgres/index.js';

const T0 = new Date('2026-01-05T02:00:00.000Z');
const BATCH = 100;
const schemas: string[] = [];
const opened: Storage[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
  const admin = await postgresStorage({ connectionString: testServers().postgres, migrate: false });
  for (const schema of schemas.splice(0)) await admin.sql.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.close();
});

interface PlanNode { 'Actual Rows'?: number; 'Rows Removed by Join Filter'?: number; Plans?: PlanNode[] }
const removedByJoinFilter = (n: PlanNode): number => (n['Rows Removed by Join Filter'] ?? 0) + (n.Plans ?? []).reduce((sum, c) => sum + removedByJoinFilter(c), 0);

/** A SQL array literal of `values` (uuids, ISO instants, JSON without single quotes) cast to `type`. */
const array = (values: string[], type: string): string => `ARRAY[${values.map((v) => `'${v}'`).join(',')}]::${type}`;

/** Runs the prepared statement whose text matches `pattern` with `args`, under its generic plan; the plan as executed. */
async function explainGeneric(s: PostgresStorage, pattern: RegExp, args: string[]): Promise<PlanNode> {
  const { rows: prepared } = await s.sql.query<{ name: string; statement: string }>('SELECT name, statement FROM pg_prepared_statements WHERE NOT from_sql');
  const mine = prepared.filter((p) => pattern.test(p.statement));
  expect(mine, String(pattern)).toHaveLength(1);
  await s.sql.query('SET plan_cache_mode = force_generic_plan');
  const { rows } = await s.sql.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE ${mine[0]!.name}(${args.join(', ')})`);
  return rows[0]!['QUERY PLAN'][0]!.Plan;
}

describe('plans of the batched worker writes (PostgreSQL)', () => {
  it('claim+start and step success+completion of 100 executions probe each row by id, comparing no pair of rows', async () => {
    const schema = `plans_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    schemas.push(schema);
    const s = await postgresStorage({ connectionString: testServers().postgres, schema, poolMax: 1 });
    opened.push(s);
    const job = await s.createJob({ id: randomUUID(), definition: parseJobDefinition({ name: `plans-${randomUUID()}`, steps: [{ id: 's1', type: 'echo', config: {} }] }), now: T0, anchorAt: T0, nextFireAt: null });
    const done = { steps: { s1: { status: 'succeeded' as const, output: null, attempts: 1, finished_at: T0.toISOString() } } };
    const ids: string[] = [];
    for (let i = 0; i < BATCH + 2; i++) {
      const { execution } = await s.createExecution({ id: randomUUID(), jobId: job.id, idempotencyKey: randomUUID(), triggerSource: 'manual', availableAt: T0 }, T0);
      ids.push(execution.id);
    }
    // Two executions through both statements at once (a batch of two: the array statements), so
    // the storage has prepared them on its connection.
    const firsts = await Promise.all([ids.shift()!, ids.shift()!].map((id) => s.claimAndStartStep(id, { owner: 'w', leaseMs: 30_000, now: T0, exclusive: false, jobId: job.id, stepId: 's1' })));
    expect(await Promise.all(firsts.map((first) => {
      if (!first.claimed || !first.step) throw new Error('not claimed');
      return s.completeWithStepSuccess(first.execution.id, first.execution.fencingToken!, { stepId: 's1', attempt: first.step.attempt, context: done, now: T0 });
    }))).toEqual([true, true]);

    const each = (v: string): string[] => ids.map(() => v);
    const claim = await explainGeneric(s, /^(?=[\s\S]*unnest\(\$1::uuid\[\])[\s\S]*nextval\('vecron_fencing_seq'\)[\s\S]*UPDATE vecron_executions e\s+SET status = CASE/, [
      array(ids, 'uuid[]'), array(each('w'), 'text[]'), array(each(new Date(T0.getTime() + 30_000).toISOString()), 'timestamptz[]'),
      array(each(T0.toISOString()), 'timestamptz[]'), array(each(job.id), 'uuid[]'), array(each('s1'), 'text[]'),
    ]);
    expect(claim['Actual Rows']).toBe(BATCH);
    expect(removedByJoinFilter(claim)).toBe(0);

    const { rows: held } = await s.sql.query<{ id: string; token: string; attempt: number }>(
      'SELECT id, fencing_token::text AS token, latest_attempt_no AS attempt FROM vecron_executions WHERE id = ANY($1::uuid[]) ORDER BY id', [ids],
    );
    expect(held).toHaveLength(BATCH);
    const completion = await explainGeneric(s, /unnest\(\$1::uuid\[\][\s\S]*own AS \(\s+UPDATE vecron_executions e SET status = 'success'/, [
      array(held.map((h) => h.id), 'uuid[]'), array(held.map((h) => h.token), 'bigint[]'), array(held.map(() => 's1'), 'text[]'),
      array(held.map((h) => String(h.attempt)), 'int[]'), array(held.map(() => JSON.stringify(done)), 'text[]'), array(held.map(() => T0.toISOString()), 'timestamptz[]'),
    ]);
    expect(completion['Actual Rows']).toBe(BATCH);
    expect(removedByJoinFilter(completion)).toBe(0);
    const { rows: [finished] } = await s.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM vecron_executions WHERE id = ANY($1::uuid[]) AND status = 'success'`, [ids]);
    expect(finished!.n).toBe(BATCH);
  });

  it('a batch of one runs over scalars; its generic plan reaches the row by primary key on an empty, never-analyzed table, and is kept after five runs', async () => {
    const schema = `plans_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    schemas.push(schema);
    const s = await postgresStorage({ connectionString: testServers().postgres, schema, poolMax: 1 });
    opened.push(s);
    const { rows: [fresh] } = await s.sql.query<{ n: number; analyzed: boolean }>(
      `SELECT n_live_tup::int AS n, (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL) AS analyzed FROM pg_stat_user_tables WHERE relname = 'vecron_executions' AND schemaname = $1`, [schema]);
    expect(fresh).toEqual({ n: 0, analyzed: false });
    const jobId = randomUUID();
    // Six lone calls for executions that do not exist: both one-row statements prepared and run
    // while the table is empty (a refusal each), the sixth run on the cached generic plan.
    for (let i = 0; i < 6; i++) {
      expect((await s.claimAndStartStep(randomUUID(), { owner: 'w', leaseMs: 30_000, now: T0, exclusive: false, jobId, stepId: 's1' })).claimed).toBe(false);
      expect(await s.completeWithStepSuccess(randomUUID(), 1, { stepId: 's1', attempt: 1, context: { steps: {} }, now: T0 })).toBe(false);
    }
    const { rows: prepared } = await s.sql.query<{ name: string; statement: string; generic: number; custom: number }>(
      'SELECT name, statement, generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements WHERE NOT from_sql');
    const oneRow = prepared.filter((p) => /\(SELECT \$1::uuid AS x_id, /.test(p.statement));
    expect(oneRow).toHaveLength(2);
    expect(prepared.filter((p) => /unnest\(\$1::uuid\[\]/.test(p.statement) && /UPDATE vecron_executions e/.test(p.statement))).toHaveLength(0);
    // The plan cache settled on the generic plan: five custom plans, then the generic one.
    for (const p of oneRow) expect({ generic: p.generic, custom: p.custom }).toEqual({ generic: 1, custom: 5 });
    // The generic plan, made now (forced), on the empty never-analyzed tables: every scan (of
    // vecron_executions, and of vecron_step_attempts for the attempt numbers and the moved or
    // closed attempt) is a probe of the table's primary key, never a sequential scan.
    interface Node { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; Plans?: Node[] }
    const nodes = (n: Node): Node[] => [n, ...(n.Plans ?? []).flatMap(nodes)];
    await s.sql.query('SET plan_cache_mode = force_generic_plan');
    const id = `'${randomUUID()}'`;
    const args = [
      [id, `'w'`, `'${T0.toISOString()}'`, `'${T0.toISOString()}'`, `'${jobId}'`, `'s1'`],
      [id, '1', `'s1'`, '1', `'{}'`, `'${T0.toISOString()}'`],
    ];
    for (const p of oneRow) {
      const isClaim = /nextval\('vecron_fencing_seq'\)/.test(p.statement);
      const { rows } = await s.sql.query<{ 'QUERY PLAN': Array<{ Plan: Node }> }>(`EXPLAIN (FORMAT JSON) EXECUTE ${p.name}(${args[isClaim ? 0 : 1]!.join(', ')})`);
      const scans = nodes(rows[0]!['QUERY PLAN'][0]!.Plan).filter((n) => n['Relation Name'] && n['Node Type'] !== 'ModifyTable');
      expect(scans.filter((n) => n['Relation Name'] === 'vecron_executions').length).toBeGreaterThan(0);
      for (const n of scans) expect({ type: n['Node Type'], index: n['Index Name'] }).toEqual({ type: 'Index Scan', index: `${n['Relation Name']}_pkey` });
    }
    await s.sql.query('RESET plan_cache_mode');
  });
  it("a worker's variable read of a few scopes runs over scalars and keeps a generic primary-key plan, on an empty and on a filled table", async () => {
    const schema = `plans_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    schemas.push(schema);
    const s = await postgresStorage({ connectionString: testServers().postgres, schema, poolMax: 1 });
    opened.push(s);
    const jobId = randomUUID();
    // Six lone reads of the two scopes a worker asks for (the cluster's, '', and its job's), on the empty table.
    for (let i = 0; i < 6; i++) expect(await s.listVariables(['', jobId])).toEqual([]);
    const plans = async (): Promise<Array<{ name: string; generic: number; custom: number }>> => (await s.sql.query<{ name: string; statement: string; generic: number; custom: number }>(
      'SELECT name, statement, generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements WHERE NOT from_sql')).rows
      .filter((p) => /FROM vecron_variables WHERE scope IN \(\$1, \$2\)/.test(p.statement));
    const [read] = await plans();
    expect(read).toMatchObject({ generic: 1, custom: 5 });
    await s.sql.query('SET plan_cache_mode = force_generic_plan');
    const { rows } = await s.sql.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE ${read!.name}('', '${jobId}')`);
    await s.sql.query('RESET plan_cache_mode');
    const text = rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(text).toContain('vecron_variables_pkey');
    expect(text).not.toContain('Seq Scan');
    // Filled and analyzed: still the same rows as before, each scope's, in scope and name order.
    const now = new Date(T0);
    for (const [scope, name] of [['', 'b'], ['', 'a'], [jobId, 'c'], [randomUUID(), 'd']] as const) await s.setVariable({ scope, name, value: name, sensitive: false, updatedAt: now });
    await s.sql.query('ANALYZE vecron_variables');
    expect((await s.listVariables(['', jobId])).map((v) => [v.scope, v.name])).toEqual([['', 'a'], ['', 'b'], [jobId, 'c']]);
  });
});
