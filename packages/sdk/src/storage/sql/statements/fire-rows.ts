/**
 * What both ways of firing due schedules share (fire-due.ts, one decision per row;
 * fire-due-shared.ts, one per group): the fire-deciding fields as read from a job, due instants
 * as epoch milliseconds, and the execution row a fire inserts.
 */
import type { Execution } from '../../../model/execution.js';
import { LruCache } from '../../../internal/lru-cache.js';
import type { FireSpec, PlannedFire } from '../../port.js';
import type { SqlClient, SqlQueryOptions } from '../sql-client.js';
import { listCalendars } from './calendars.js';
import type { FireDueArgs } from './fire-due.js';

/**
 * The `FireSpec` keys of a stored definition, as one jsonb object's text (keys sorted by jsonb, so
 * equal specs give equal text; a key the definition lacks is JSON null). The job row stores it,
 * `fire_spec`, written with the definition (migration 0013, whose `vecron_fire_spec` lists these keys).
 */
export const FIRE_SPEC_KEYS = ['schedule', 'catchup', 'misfire_policy', 'triggers', 'allow_concurrent', 'overlap_policy', 'jitter_seconds'] as const satisfies ReadonlyArray<keyof FireSpec>;
export const FIRE_SPEC_SQL = 'j.fire_spec';

/**
 * An instant of a due row as epoch milliseconds (a number the driver reads with `parseFloat`, not
 * timestamp text for its date parser: a tick reads four per due schedule). Floored, as the
 * driver's `Date` drops the microseconds; NULL stays NULL.
 */
export const EPOCH_MS = (col: string): string => `floor(extract(epoch FROM ${col}) * 1000)::float8`;

/**
 * Query options of the write that ends a claim: nothing follows it in the transaction, so the `pg`
 * adapter sends the `COMMIT` in the same round trip (pg-client.ts). It commits what it committed
 * before — the locked rows, the executions (unique on job and fire instant: the fire ledger) and
 * the schedules' advance, in one transaction — only not as a message of its own; if the write
 * fails, the COMMIT does not run and the claim rolls back as before.
 */
export const LAST: SqlQueryOptions = Object.freeze({ commit: true });

/**
 * Due schedule rows with columns `cols`, locked (skipping those another scheduler holds). `now`
 * and `limit` are written into the text, not bound: the due read is the first statement of its
 * transaction and has no parameters then, so the `pg` adapter sends the `BEGIN` with it, one round
 * trip (pg-client.ts). Both are checked to be what `iso()` and a count give.
 */
export function lockDueRows(cols: string, nowIso: string, limit: number): string {
  if (!ISO_INSTANT.test(nowIso) || !Number.isSafeInteger(limit) || limit < 0) throw new TypeError(`not a due read's instant and limit: ${nowIso}, ${limit}`);
  return `SELECT ${cols} FROM vecron_schedules WHERE next_fire_at IS NOT NULL AND next_fire_at <= '${nowIso}'::timestamptz ORDER BY next_fire_at LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
}

/** An instant as `Date.prototype.toISOString` writes it (years 0–9999). */
const ISO_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/**
 * The cluster state of `fireDueSchedules`' `fireState`, read by the claim's first statement at no
 * round trip of its own (columns `hint.paused` and `hint.calendars_version` of
 * {@link dueRowsWithJob}, the same on every row; each an InitPlan, run once): whether the scheduler
 * pause is set, and a version of the stored calendars that every put and delete changes (each
 * row's name and `xmin`, the id of the transaction that wrote it, hashed).
 */
const FIRE_STATE_SQL = `EXISTS (SELECT 1 FROM vecron_cluster_settings WHERE key = 'scheduler.pause'),
   (SELECT encode(sha256(convert_to(COALESCE(string_agg(name || '@' || xmin::text, '|' ORDER BY name), ''), 'UTF8')), 'base64') FROM vecron_calendars)`;

/**
 * The FROM clause of a due read: the schedule rows of `rowsSql` as `s`, each with its job as `j`.
 * The rows' LIMIT applies to the schedules alone, then each finds its job by primary key. `LIMIT 1`
 * keeps the lateral subquery from being pulled up into a plain join, which the planner may
 * hash-join with a scan of every job: it did at 1k, 10k and 100k jobs with small definitions
 * (EXPLAIN, PostgreSQL 15, 1 % due: Seq Scan on vecron_jobs, 100,000 rows for 1,000 due). With it,
 * the only plan is a nested loop of primary-key lookups, one per row, at any size.
 * `hint` turns sequential scans off for the rest of the transaction (`set_config(…, true)` is
 * `SET LOCAL`; it runs when this statement executes, so it steers only the statements planned
 * after it, not this one): see writeFires in fire-due.ts for why the writes need it.
 */
export const dueRowsWithJob = (rowsSql: string): string =>
  `(SELECT set_config('enable_seqscan', 'off', true), ${FIRE_STATE_SQL}) AS hint(v, paused, calendars_version), (${rowsSql}) s
   CROSS JOIN LATERAL (SELECT enabled, fire_spec FROM vecron_jobs WHERE id = s.job_id LIMIT 1) j`;

/**
 * Reports the state read with the claim (`row`: any row of {@link dueRowsWithJob}; none when
 * nothing is due, and then nothing is decided) to `fireState`, listing the calendars in the
 * claim's transaction only when their version is not the caller's. A calendar changed between
 * the two statements is listed newer than its version: the next claim lists it again.
 */
export async function reportFireState(tx: SqlClient, fireState: FireDueArgs['fireState'], row: Record<string, unknown> | undefined): Promise<void> {
  if (!fireState || !row) return;
  const version = String(row.calendars_version);
  const calendars = version === fireState.calendarsVersion ? null : { version, list: await listCalendars(tx) };
  fireState.report({ paused: Boolean(row.paused), calendars });
}

/**
 * The idempotency key of a scheduled fire at the instant `atIso` (`Date#toISOString`): one
 * execution per job and instant. It is also how the fire ledger finds the fires (`listLedger` in
 * schedules.ts): for the years 0000–9999 the ISO text is fixed width (`YYYY-MM-DDTHH:mm:ss.sssZ`,
 * always milliseconds, always `Z`), so the keys sort in the order of their instants.
 */
export const fireKey = (atIso: string): string => `fire:${atIso}`;

/** The first and the last instant whose fire key sorts chronologically (`fireKey`): years 0000–9999. */
export const FIRE_KEY_RANGE = { first: new Date('0000-01-01T00:00:00.000Z'), last: new Date('9999-12-31T23:59:59.999Z') } as const;

/**
 * The trigger metadata of a scheduled fire's execution, as SQL over the text expression `reason`
 * (the ledger's note, see `fireParts`; NULL for most fires): `{}`, or `{"reason": …}`. The fire
 * ledger has no row for a fire that created an execution; the execution is that row, and this is
 * where its reason lives.
 */
export const FIRE_METADATA_SQL = (reason: string): string => `CASE WHEN ${reason} IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('reason', ${reason}) END`;

/** A planned fire's instant, start (later with jitter) and ledger note. */
export function fireParts(fire: PlannedFire): { at: Date; availableAt: Date; reason: string | null } {
  if (fire instanceof Date) return { at: fire, availableAt: fire, reason: null };
  return { at: fire.at, availableAt: fire.availableAt ?? fire.at, reason: fire.reason ?? null };
}

/** Parsed fire specs by their jsonb text; one object per distinct text (see `DueSchedule.definition`). */
export type FireSpecCache = LruCache<string, Readonly<FireSpec>>;

export const createFireSpecCache = (): FireSpecCache => new LruCache(10_000);

export function fireSpecOf(cache: FireSpecCache, text: string): Readonly<FireSpec> {
  let spec = cache.get(text);
  if (spec === undefined) {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    // A key the stored definition does not have comes back as JSON null: drop it, as it was.
    for (const k of FIRE_SPEC_KEYS) if (parsed[k] === null) delete parsed[k];
    spec = parsed as unknown as FireSpec;
    cache.set(text, spec);
  }
  return spec;
}

/** A fire this call inserts. */
export interface Planned {
  id: string;
  jobId: string;
  key: string;
  at: Date;
  availableAt: Date;
  reason: string | null;
}

/** The row as a fire's INSERT wrote it (what `toExecution` would read back). */
export function newExecutionRow(p: Planned, now: Date): Execution {
  return {
    id: p.id, jobId: p.jobId, idempotencyKey: p.key, status: 'pending', triggerSource: 'scheduled', triggerMetadata: p.reason === null ? {} : { reason: p.reason },
    scheduledFor: p.at, attempt: 1, currentStep: null, context: { steps: {} }, error: null, availableAt: p.availableAt,
    leaseOwner: null, leaseExpiresAt: null, fencingToken: null, replayOf: null, createdAt: now, startedAt: null, finishedAt: null,
  };
}
