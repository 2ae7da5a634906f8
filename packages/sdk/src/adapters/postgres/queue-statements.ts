/**
 * The statements of the PostgreSQL queue ({@link postgresQueue}), one per operation, each taking
 * arrays so a group-committed burst is one statement. The table belongs to the queue (it creates
 * it, as the NATS queue creates its stream), not to the storage's migrations.
 *
 * Row life: published (`in_flight` false, `available_at` = due) → claimed (`in_flight` true,
 * `available_at` = end of the ack wait, `deliveries` + 1) → deleted by the ack of that delivery,
 * or back to waiting by its nak. A claimed row whose ack wait ran out is due again, so one index
 * on `available_at` serves both first deliveries and redeliveries.
 */

import { inputStatement, type InputColumn } from '../../storage/sql/sql-values.js';

/** A row to publish: the id, its generation (deduplication id), job, trace context and not-before (null: now). */
export interface PublishRow { id: string; generation: string; jobId: string | null; traceparent: string | null; notBefore: Date | null }

/** A delivery to settle (ack, nak, in-progress): the id, its delivery number, and the delay or ack wait in ms (nak and in-progress). */
export interface SettleRow { id: string; delivery: number; delayMs: number }

/**
 * A write for any number of rows: its text and parameters. One row is written over scalar
 * parameters, more over arrays (`inputStatement`), the rest of the text the same: over a
 * one-element array PostgreSQL would plan the statement on every call (the custom plan of one
 * element costs less than the generic plan, taken for 10), over scalars it keeps the generic plan,
 * a primary-key probe, after five runs. At low load every write is a batch of one.
 */
export type QueueWrite<I> = (rows: readonly I[]) => { text: string; params: unknown[] };

/** A claimed row. */
export interface ClaimedRow {
  execution_id: string;
  job_id: string | null;
  traceparent: string | null;
  /** Delivery number of this claim (1 on first delivery). */
  deliveries: number;
}

/** A row of the claim statement: a claimed row, or the last one, carrying only `next_due_ms`. */
export type ClaimResultRow =
  | (ClaimedRow & { next_due_ms: null })
  | { execution_id: null; job_id: null; traceparent: null; deliveries: null; next_due_ms: number | null };

/** The queue's SQL, for one (schema, table). */
export interface QueueStatements {
  /** Schema-qualified, quoted table name. */
  readonly table: string;
  /** `NOTIFY` channel: the table name, schema-qualified. */
  readonly channel: string;
  readonly createTable: string;
  readonly createIndex: string;
  /** One row when the table has the `generation` column ($1: the table name as {@link table}). */
  readonly hasGeneration: string;
  /** Adds `generation` to a table created before it existed (an ACCESS EXCLUSIVE lock: only when missing). */
  readonly addGeneration: string;
  /** Writes (or moves earlier) the rows; notifies the channel once when one was written. */
  readonly publish: QueueWrite<PublishRow>;
  /** $1 how many, $2 ack wait ms. Returns {@link ClaimedRow}s, then one row with only `next_due_ms`. */
  readonly claim: string;
  /** Deletes the deliveries still in flight. */
  readonly ack: QueueWrite<SettleRow>;
  /** Makes the deliveries still in flight wait `delayMs` again. */
  readonly nak: QueueWrite<SettleRow>;
  /** Extends the ack wait of the deliveries still in flight to `delayMs` from now. */
  readonly extend: QueueWrite<SettleRow>;
  readonly size: string;
}

/**
 * A CTE that makes the statement's own transaction commit without waiting for its WAL flush
 * (`synchronous_commit = off` for that transaction only; the session's setting is untouched).
 * For the claim, ack, nak and in-progress writes: losing one to a server crash only means a
 * delivery again (or a later one), which the storage claim (durable, fenced) refuses or takes, as
 * for any redelivery. For the publish: the execution row, committed durably before it is
 * published, is the outbox, so a publish lost to a crash is published again by the dispatcher
 * once `republishAfterMs` has passed (docs/architecture.md#4-no-execution-is-lost); the
 * execution starts that much later, never twice (the storage claim) and is never lost. Its result
 * is visible to every session at once (the notification too), and the next durable commit
 * flushes it as well. Costs one fsync fewer per publish, claim and ack; the publish and the claim
 * are on the path of every execution from add to start.
 */
const ASYNC_COMMIT = `async_commit AS (SELECT set_config('synchronous_commit', 'off', true) AS off)`;

const PUBLISH_INPUT: ReadonlyArray<InputColumn<PublishRow>> = [
  { name: 'id', type: 'text', value: (p) => p.id },
  { name: 'gen', type: 'text', value: (p) => p.generation },
  { name: 'job', type: 'text', value: (p) => p.jobId },
  { name: 'tp', type: 'text', value: (p) => p.traceparent },
  { name: 'nb', type: 'timestamptz', value: (p) => p.notBefore },
];
const SETTLE_INPUT: ReadonlyArray<InputColumn<SettleRow>> = [
  { name: 'id', type: 'text', value: (s) => s.id },
  { name: 'd', type: 'int', value: (s) => s.delivery },
];
const SETTLE_WITH_DELAY_INPUT: ReadonlyArray<InputColumn<SettleRow>> = [...SETTLE_INPUT, { name: 'ms', type: 'int', value: (s) => s.delayMs }];

/** A {@link QueueWrite} of `body` over the input rows `columns` (aliased `u`); `extra` parameters follow the columns'. */
function queueWrite<I>(columns: ReadonlyArray<InputColumn<I>>, body: (from: string, next: number) => string, extra: unknown[] = []): QueueWrite<I> {
  const statement = inputStatement(columns, (from) => body(from, columns.length + 1));
  return (rows) => {
    const { text, params } = statement(rows);
    return { text, params: extra.length ? [...params, ...extra] : params };
  };
}

/** Builds the statements; `schema` and `table` are validated identifiers. */
export function queueStatements(schema: string | null, table: string): QueueStatements {
  const t = schema === null ? `"${table}"` : `"${schema}"."${table}"`;
  const channel = schema === null ? table : `${schema}.${table}`;
  return {
    table: t,
    channel,
    createTable: `CREATE TABLE IF NOT EXISTS ${t} (
      execution_id text PRIMARY KEY,
      generation text,
      job_id text,
      traceparent text,
      available_at timestamptz NOT NULL,
      deliveries integer NOT NULL DEFAULT 0,
      in_flight boolean NOT NULL DEFAULT false,
      published_at timestamptz NOT NULL DEFAULT now()
    )`,
    createIndex: `CREATE INDEX IF NOT EXISTS "${table}_available_at" ON ${t} (available_at)`,
    hasGeneration: `SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'generation' AND NOT attisdropped`,
    addGeneration: `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS generation text`,
    // A publish of an id that is waiting, under the same generation (deduplication id; a row from
    // before the column counts as the id's own), moves it earlier (never later); of an id in flight
    // under the same generation, nothing. A new generation (the dispatcher's re-publish after a
    // lost lease or a hand-back) makes the row due at its own time even while an older delivery is
    // held: that delivery's ack, nak or extension no longer matches (see ack/nak/extend), and the
    // storage claim's fencing token stops its worker. The notification is sent only when a row
    // was written, once per statement.
    publish: queueWrite(PUBLISH_INPUT, (from, channel) => `WITH ${ASYNC_COMMIT}, p AS (
        INSERT INTO ${t} AS q (execution_id, generation, job_id, traceparent, available_at)
        SELECT id, gen, job, tp, COALESCE(nb, now()) FROM ${from}
        ON CONFLICT (execution_id) DO UPDATE SET
            available_at = EXCLUDED.available_at,
            in_flight = q.in_flight AND COALESCE(q.generation, q.execution_id) = EXCLUDED.generation,
            generation = EXCLUDED.generation
          WHERE COALESCE(q.generation, q.execution_id) <> EXCLUDED.generation
            OR (NOT q.in_flight AND EXCLUDED.available_at < q.available_at)
        RETURNING 1)
      SELECT pg_notify($${channel}, '') FROM (SELECT 1 FROM p LIMIT 1) AS any_row, async_commit`, [channel]),
    // The last row (execution_id NULL) carries the ms until the earliest row not yet due, read in
    // the same snapshot, so an idle consumer knows how long to sleep without a second query.
    claim: `WITH ${ASYNC_COMMIT}, c AS (
        SELECT execution_id FROM ${t} WHERE available_at <= now() ORDER BY available_at LIMIT $1 FOR UPDATE SKIP LOCKED),
      u AS (
        UPDATE ${t} AS q SET available_at = now() + $2::int * interval '1 millisecond', in_flight = true, deliveries = q.deliveries + 1
        FROM c WHERE q.execution_id = c.execution_id
        RETURNING q.execution_id, q.job_id, q.traceparent, q.deliveries)
      SELECT execution_id, job_id, traceparent, deliveries, NULL::float8 AS next_due_ms FROM u
      UNION ALL
      SELECT NULL, NULL, NULL, NULL, (SELECT (extract(epoch FROM min(available_at) - now()) * 1000)::float8 FROM ${t} WHERE available_at > now()) FROM async_commit`,
    // Only a delivery still in flight: once a new generation has made the row wait again, the
    // older delivery's ack (same delivery number until the next claim) must not delete it.
    // The settling writes commit asynchronously too (joined with the CTE, so it runs whenever a row is written).
    ack: queueWrite(SETTLE_INPUT, (from) => `WITH ${ASYNC_COMMIT} DELETE FROM ${t} AS q USING ${from}, async_commit WHERE q.execution_id = u.id AND q.deliveries = u.d AND q.in_flight`),
    nak: queueWrite(SETTLE_WITH_DELAY_INPUT, (from) => `WITH ${ASYNC_COMMIT} UPDATE ${t} AS q SET available_at = now() + u.ms * interval '1 millisecond', in_flight = false
      FROM ${from}, async_commit WHERE q.execution_id = u.id AND q.deliveries = u.d AND q.in_flight`),
    extend: queueWrite(SETTLE_WITH_DELAY_INPUT, (from) => `WITH ${ASYNC_COMMIT} UPDATE ${t} AS q SET available_at = now() + u.ms * interval '1 millisecond'
      FROM ${from}, async_commit WHERE q.execution_id = u.id AND q.deliveries = u.d AND q.in_flight`),
    size: `SELECT count(*)::int AS n FROM ${t}`,
  };
}
