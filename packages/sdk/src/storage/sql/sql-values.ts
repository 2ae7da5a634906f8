/** Pieces shared by the statements in `statements/`. */
import type { Execution } from '../../model/execution.js';
import type { ClaimResult } from '../port.js';

export const iso = (d: Date): string => d.toISOString();
export const isoOrNull = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

/** The statuses of an execution a worker holds (its lease and token are live). */
export const ACTIVE = `('running','cancelling')`;

/**
 * Whether the execution row `e` may be claimed at `now` (SQL expressions): pending and due, or
 * held under a lease that expired. Written as a CASE, not as
 * `(status = 'pending' AND …) OR (status IN … AND …)`: the claims find their rows by id, and
 * against that OR the planner tries to prove the partial indexes on `vecron_executions` from each
 * arm (index OR paths it never picks), which made planning the claim cost 0.5 ms of server CPU,
 * on the path of every execution, against ~0.1 ms to run it.
 */
export const claimable = (e: string, now: string): string =>
  `CASE WHEN ${e}.status = 'pending' THEN ${e}.available_at <= ${now} WHEN ${e}.status IN ${ACTIVE} THEN ${e}.lease_expires_at < ${now} ELSE false END`;

/**
 * A CTE named `locked` that locks the execution rows named by the uuid[] parameter `$n` in id
 * order. Every multi-row write on executions takes its row locks through it, so two batches (or a
 * batch and the dispatcher) touching overlapping rows in different processes wait for each other
 * instead of deadlocking on opposite lock orders.
 */
export const lockInIdOrder = (n: number): string =>
  `locked AS MATERIALIZED (SELECT id AS l_id FROM vecron_executions WHERE id = ANY($${n}::uuid[]) ORDER BY id FOR UPDATE)`;

/** One column of a batch statement's input: its name in the statement (`x_…`), its SQL type, and its value for an item. */
export interface InputColumn<I> {
  readonly name: string;
  readonly type: string;
  readonly value: (item: I) => unknown;
}

/** The FROM item of `inputStatement`'s input rows for one item (`single`) or for many. */
function inputFrom<I>(columns: ReadonlyArray<InputColumn<I>>, single: boolean): string {
  return single
    ? `(SELECT ${columns.map((c, n) => `$${n + 1}::${c.type} AS ${c.name}`).join(', ')}) AS u`
    : `unnest(${columns.map((c, n) => `$${n + 1}::${c.type}[]`).join(', ')}) AS u(${columns.map((c) => c.name).join(', ')})`;
}

/** The parameters of `inputStatement`'s input rows: scalars for one item, one array per column for many. */
function inputParams<I>(columns: ReadonlyArray<InputColumn<I>>, items: readonly I[]): unknown[] {
  if (items.length === 1) {
    const one = items[0]!;
    return columns.map((c) => c.value(one));
  }
  return columns.map((c) => items.map(c.value));
}

/** A statement over input rows (`inputStatement`): its text and parameters for some items. */
export type InputStatement<I> = (items: readonly I[]) => { text: string; params: unknown[] };

/**
 * A statement written for many items, over input rows: `body` is given a FROM item aliased `u`
 * with the columns `columns` bound as `$1`, `$2`, … in order, and the call returns the text and
 * those parameters. For two items or more it is
 * `unnest($1::type[], …) AS u(x_…, …)` over one array per column; for one item (a group commit's
 * batch of one: every call at low load) it is `(SELECT $1::type AS x_…, …) AS u` over scalars.
 *
 * Why two shapes: PostgreSQL's plan cache compares a prepared statement's custom plans with its
 * generic plan. Over arrays, the custom plan of a one-element array is much cheaper than the
 * generic plan (which takes any array for 10 elements), so it plans every call afresh: ~0.6 ms of
 * server CPU per statement, more than running it. Over scalars both plans cost the same, so after
 * five runs it keeps the generic plan and stops planning; that plan reaches the row by its primary
 * key whatever the table's size or statistics (`WHERE id = $1` on a unique index), so a plan made
 * while the table was small or never analyzed stays right. The rest of the statement is the same
 * text for both, so each shape has exactly the semantics of the other.
 *
 * The text is built once per shape and then reused. A hot statement's text is long (the claim
 * with the first step's start is ~5 KB): built again on every call, it was a new string each time,
 * which the prepared-statement name's memo (`preparedName`, keyed by the text) hashed and compared
 * in full, ~11 µs of client CPU per claim; the same string again is found at once.
 */
export function inputStatement<I>(columns: ReadonlyArray<InputColumn<I>>, body: (from: string) => string): InputStatement<I> {
  let one: string | undefined;
  let many: string | undefined;
  return (items) => {
    const text = items.length === 1 ? (one ??= body(inputFrom(columns, true))) : (many ??= body(inputFrom(columns, false)));
    return { text, params: inputParams(columns, items) };
  };
}

/** Why a claim that changed no row failed, given the row as it is now (null: no such execution). */
export function unclaimedReason(current: Execution | null, now: Date): Exclude<ClaimResult, { claimed: true }>['reason'] {
  return current?.status === 'pending' && current.availableAt > now ? 'not_available_yet' : 'not_claimable';
}

/** Escapes `%`, `_` and `\` so a user's text matches literally inside a LIKE pattern (default escape `\`). */
export const likeEscape = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * `lockInIdOrder` for a batch statement that reads its input from `locked`: a CTE named `locked`
 * with the rows of `input` (a FROM item aliased `u`, with the execution id in `x_id`) whose
 * execution exists, each with `columns` (a select list over the row `e`, read as the row is once
 * locked: the latest committed version, not the statement's snapshot), the rows locked in id order. The statement then joins its update to `locked` on the
 * id alone, an index probe per row. Joined to a separate `unnest` input and checked with
 * `id IN (SELECT l_id FROM locked)`, a generic plan (which takes any array for 10 elements) ran
 * both as nested loops over the CTE: batch² comparisons, 15,000 for a batch of 100.
 */
export const lockInputInIdOrder = (input: string, columns = ''): string =>
  `locked AS MATERIALIZED (SELECT u.*${columns ? `, ${columns}` : ''} FROM ${input} JOIN vecron_executions e ON e.id = u.x_id ORDER BY e.id FOR UPDATE OF e)`;
