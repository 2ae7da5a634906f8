/**
 * The set-based way of `fireDueSchedules` (docs/architecture.md#the-midnight-burst): due
 * schedules are locked and read as groups — one row per (fire spec, due instant, enabled), with
 * the tuple ids and job ids of its members as two array literals the client never parses — and
 * every group the caller shares (`sharedDecision`) gets one decision and is written by one
 * statement for all its members: executions, the ledger rows of skips and misses, and the schedule
 * advance. At midnight, 100,000
 * schedules on one cron expression are one group: the client's work per fire is an id and one
 * result row, not a decision, a dozen array slots and a parsed row.
 *
 * Correctness rests on the row locks: the grouping read takes them (`FOR UPDATE SKIP LOCKED`), so
 * the members and their tuple ids cannot change before the commit; the write finds them by tuple
 * id. Groups not shared go back to fire-due.ts, one decision per row, by the same tuple ids.
 */
import type { Execution } from '../../../model/execution.js';
import type { FireDecision, FireSkip, FireSpec } from '../../port.js';
import type { FireDueArgs } from './fire-due.js';
import type { SqlClient } from '../sql-client.js';
import { iso } from '../sql-values.js';
import { EPOCH_MS, FIRE_METADATA_SQL, FIRE_SPEC_SQL, LAST, dueRowsWithJob, fireKey, fireParts, fireSpecOf, lockDueRows, newExecutionRow, reportFireState } from './fire-rows.js';
import type { FireSpecCache } from './fire-rows.js';

/** One group of locked due schedules. */
interface Group {
  spec: Readonly<FireSpec>;
  nextFireMs: number;
  enabled: boolean;
  /** `tid[]` and `uuid[]` array literals, in the same member order, as PostgreSQL wrote them. */
  tids: string;
  jobs: string;
  members: number;
}

/** `fireDueSchedules`'s arguments (the shared-decision test is passed on its own). */
type SharedArgs = Omit<FireDueArgs, 'sharedDecision'>;

/**
 * Locks up to `limit` due schedules as groups, fires the shared groups set-based and returns
 * their executions, and the tuple ids of the other groups' members (a `tid[]` literal; null when
 * none) for the caller to decide one by one in the same transaction.
 */
export async function fireShared(tx: SqlClient, specs: FireSpecCache, args: SharedArgs, shared: (spec: Readonly<FireSpec>) => boolean): Promise<{ created: Execution[]; others: string | null }> {
  const { groups, state } = await lockDueGroups(tx, specs, iso(args.now), args.limit);
  await reportFireState(tx, args.fireState, state);
  const mine: Array<{ group: Group; decision: FireDecision }> = [];
  const others: Group[] = [];
  for (const group of groups) {
    if (!shared(group.spec)) {
      others.push(group);
      continue;
    }
    const decision = args.decide({
      jobId: firstMember(group.jobs), definition: group.spec, enabled: group.enabled, nextFireAt: new Date(group.nextFireMs),
      lastFireAt: null, lastFinishedAt: null, anchorAt: new Date(group.nextFireMs), pendingCount: 0, runningCount: 0,
    });
    // Cancelling open executions reads them per job: not a shared decision after all.
    if (decision.cancelOpen) others.push(group);
    else mine.push({ group, decision });
  }
  // The last statement of the claim unless other groups are decided one by one after it.
  const created = mine.length ? await writeGroups(tx, mine, args, !others.length) : [];
  return { created, others: others.length ? joinTidLists(others.map((g) => g.tids)) : null };
}

/** The due schedules, locked, grouped by what a shared decision reads; and a row with the cluster state (`reportFireState`), if any is due. */
async function lockDueGroups(tx: SqlClient, specs: FireSpecCache, nowIso: string, limit: number): Promise<{ groups: Group[]; state: Record<string, unknown> | undefined }> {
  const { rows } = await tx.query(
    `SELECT ${FIRE_SPEC_SQL} AS spec, ${EPOCH_MS('s.next_fire_at')} AS next_fire_ms, j.enabled,
            array_agg(s.tid)::text AS tids, array_agg(s.job_id)::text AS jobs, count(*)::int AS members, hint.paused, hint.calendars_version
     FROM ${dueRowsWithJob(lockDueRows('ctid AS tid, job_id, next_fire_at', nowIso, limit))}
     GROUP BY 1, 2, 3, hint.paused, hint.calendars_version`,
  );
  const groups = rows.map((r) => ({
    spec: fireSpecOf(specs, String(r.spec)), nextFireMs: Number(r.next_fire_ms), enabled: Boolean(r.enabled),
    tids: String(r.tids), jobs: String(r.jobs), members: Number(r.members),
  }));
  return { groups, state: rows[0] };
}

/** The first uuid of a `{…}` uuid array literal (uuids are written unquoted, 36 characters). */
const firstMember = (jobs: string): string => jobs.slice(1, 37);

/** One `tid[]` literal of the members of several groups. */
const joinTidLists = (lists: string[]): string => `{${lists.map((l) => l.slice(1, -1)).join(',')}}`;

/**
 * One statement for every shared group: each member gets its group's fires (ids handed out in
 * member order: group base + fire index × members + member ordinal, with the fire's ledger note in
 * its trigger metadata), ledger rows for its group's skips (none for the fires: the execution is
 * the record), and its group's next fire. Returns the new executions and reports the skips recorded.
 */
async function writeGroups(tx: SqlClient, mine: Array<{ group: Group; decision: FireDecision }>, args: SharedArgs, last: boolean): Promise<Execution[]> {
  const g = { gid: [] as number[], tids: [] as string[], jobs: [] as string[], next: [] as Array<string | null>, last: [] as Array<string | null>, base: [] as number[], members: [] as number[] };
  const f = { gid: [] as number[], idx: [] as number[], key: [] as string[], at: [] as string[], available: [] as string[], reason: [] as Array<string | null> };
  const k = { gid: [] as number[], at: [] as string[], outcome: [] as string[], reason: [] as string[] };
  const ids: string[] = [];
  /** The fire key of each instant fired (one per instant, not one per created row). */
  const keys = new Map<number, string>();
  mine.forEach(({ group, decision }, gid) => {
    g.gid.push(gid);
    g.tids.push(group.tids);
    g.jobs.push(group.jobs);
    g.next.push(decision.nextFireAt ? iso(decision.nextFireAt) : null);
    g.base.push(ids.length);
    g.members.push(group.members);
    let last: Date | null = null;
    decision.fire.forEach((fire, idx) => {
      const { at, availableAt, reason } = fireParts(fire);
      const atIso = iso(at);
      f.gid.push(gid);
      f.idx.push(idx);
      const key = fireKey(atIso);
      keys.set(at.getTime(), key);
      f.key.push(key);
      f.at.push(atIso);
      f.available.push(iso(availableAt));
      f.reason.push(reason);
      if (!last || at > last) last = at;
      for (let m = 0; m < group.members; m += 1) ids.push(args.newExecutionId());
    });
    g.last.push(last ? iso(last) : null);
    for (const x of decision.skip) {
      k.gid.push(gid);
      k.at.push(iso(x.at));
      k.outcome.push(x.outcome);
      k.reason.push(x.reason);
    }
  });
  const nowIso = iso(args.now);
  const { rows } = await tx.query(
    `WITH g AS (
       SELECT g.gid, g.next, g.last, g.base, g.members, m.tid, m.job_id, m.ord::int AS ord
       FROM unnest($1::int[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::int[], $7::int[]) AS g(gid, tids, jobs, next, last, base, members)
       CROSS JOIN LATERAL unnest(g.tids::tid[], g.jobs::uuid[]) WITH ORDINALITY AS m(tid, job_id, ord)
     ), f AS (
       SELECT * FROM unnest($8::int[], $9::int[], $10::text[], $11::timestamptz[], $12::timestamptz[], $13::text[]) AS f(gid, idx, key, at, available, reason)
     ), ins AS (
       INSERT INTO vecron_executions (id, job_id, idempotency_key, status, trigger_source, trigger_metadata, scheduled_for, available_at, context, created_at, published_at)
       SELECT ($14::uuid[])[g.base + f.idx * g.members + g.ord], g.job_id, f.key, 'pending', 'scheduled', ${FIRE_METADATA_SQL('f.reason')}, f.at, f.available, '{"steps":{}}'::jsonb, $15, $16::timestamptz
       FROM g JOIN f ON f.gid = g.gid
       ON CONFLICT (job_id, idempotency_key) DO NOTHING
       RETURNING id, job_id, scheduled_for, available_at, trigger_metadata->>'reason' AS reason
     ), ledger AS (
       INSERT INTO vecron_fire_ledger (job_id, fire_at, outcome, reason, execution_id, recorded_at)
       SELECT g.job_id, k.at, k.outcome, k.reason, NULL, $15
       FROM g JOIN unnest($17::int[], $18::timestamptz[], $19::text[], $20::text[]) AS k(gid, at, outcome, reason) ON k.gid = g.gid
       ON CONFLICT DO NOTHING
       RETURNING job_id, fire_at, outcome, reason
     ), advanced AS (
       UPDATE vecron_schedules s SET next_fire_at = g.next, last_fire_at = COALESCE(g.last, s.last_fire_at)
       FROM g WHERE s.ctid = ANY($21::tid[]) AND s.ctid = g.tid AND s.job_id = g.job_id
     )
     SELECT id, job_id, ${EPOCH_MS('scheduled_for')} AS at_ms, ${EPOCH_MS('available_at')} AS available_ms, NULL AS outcome, reason FROM ins
     UNION ALL
     SELECT NULL, job_id, ${EPOCH_MS('fire_at')}, NULL, outcome, reason FROM ledger`,
    [
      g.gid, g.tids, g.jobs, g.next, g.last, g.base, g.members,
      f.gid, f.idx, f.key, f.at, f.available, f.reason,
      // As one array literal (uuids need no quoting): the driver would escape and quote each element.
      `{${ids.join(',')}}`, nowIso, args.markPublished ? nowIso : null,
      k.gid, k.at, k.outcome, k.reason,
      joinTidLists(g.tids),
    ],
    last ? LAST : undefined,
  );
  const created: Execution[] = [];
  const skips: FireSkip[] = [];
  for (const r of rows) {
    const atMs = r.at_ms as number;
    const at = new Date(atMs);
    if (r.id === null) {
      skips.push({ jobId: String(r.job_id), fireAt: at, outcome: r.outcome as FireSkip['outcome'], reason: String(r.reason) });
      continue;
    }
    const availableMs = r.available_ms as number;
    const reason = (r.reason as string | null) ?? null;
    created.push(newExecutionRow({ id: String(r.id), jobId: String(r.job_id), key: keys.get(atMs) ?? fireKey(iso(at)), at, availableAt: availableMs === atMs ? at : new Date(availableMs), reason }, args.now));
  }
  if (skips.length) args.onSkipped?.(skips);
  return created;
}
