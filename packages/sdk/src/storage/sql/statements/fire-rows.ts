/**
 * What both ways of firing due schedules share (fire-due.ts, one decision per row;
 * fire-due-shared.ts, one per group): the fire-deciding fields as read from a job, due instants
 * as epoch milliseconds, and the execution row a fire inserts.
 */
import type { Execution } from '../../../model/execution.js';
import { LruCache } from '../../../internal/lru-cache.js';
import type { FireSpec } from '../../port.js';

/** The `FireSpec` keys, read from the stored definition as one jsonb value (keys sorted by jsonb, so equal specs give equal text). */
const FIRE_SPEC_KEYS = ['schedule', 'catchup', 'misfire_policy', 'triggers', 'allow_concurrent', 'overlap_policy', 'jitter_seconds'] as const satisfies ReadonlyArray<keyof FireSpec>;
export const FIRE_SPEC_SQL = `jsonb_build_object(${FIRE_SPEC_KEYS.map((k) => `'${k}', j.definition->'${k}'`).join(', ')})::text`;

/**
 * An instant of a due row as epoch milliseconds (a number the driver reads with `parseFloat`, not
 * timestamp text for its date parser: a tick reads four per due schedule). Floored, as the
 * driver's `Date` drops the microseconds; NULL stays NULL.
 */
export const EPOCH_MS = (col: string): string => `floor(extract(epoch FROM ${col}) * 1000)::float8`;

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
}

/** The row as a fire's INSERT wrote it (what `toExecution` would read back). */
export function newExecutionRow(p: Planned, now: Date): Execution {
  return {
    id: p.id, jobId: p.jobId, idempotencyKey: p.key, status: 'pending', triggerSource: 'scheduled', triggerMetadata: {},
    scheduledFor: p.at, attempt: 1, currentStep: null, context: { steps: {} }, error: null, availableAt: p.availableAt,
    leaseOwner: null, leaseExpiresAt: null, fencingToken: null, replayOf: null, createdAt: now, startedAt: null, finishedAt: null,
  };
}
