/**
 * Group commit for hot storage operations: calls that arrive while earlier batches of the same
 * operation are in flight wait and go to the database together, as one statement.
 *
 * - A call made when fewer than `maxInFlight` batches are running starts a batch at the end of
 *   the current tick, so at low load every call is its own statement and pays no extra latency;
 *   under load (a worker with 100 executions in flight) one statement serves dozens of calls.
 * - Each caller gets its own result, and is told only about its own failure: when a batch
 *   statement fails, its items run again one by one through `single`, so one bad item (say, an
 *   id that is not a UUID) never fails its neighbours.
 * - Items with the same `key` never share a batch: the second waits for the next one, so batch
 *   statements may assume distinct keys (one `UPDATE … FROM unnest(…)` row per target row).
 */
export interface GroupCommitOptions<I> {
  /** Runs one item (also used when there is nothing to batch). */
  single: (item: I) => Promise<unknown>;
  /** Runs ≥ 2 items with distinct keys in one statement; returns one result per item, in order. */
  many: (items: I[]) => Promise<unknown[]>;
  /** Items with equal keys never share a batch. */
  key: (item: I) => string;
  /** Largest batch. @default 500 */
  maxBatch?: number;
  /** Batches of this operation running at once. @default 2 */
  maxInFlight?: number;
}

interface Waiting<I> {
  item: I;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/** A function that queues one item and resolves with its result. */
export type GroupCommitted<I, O> = (item: I) => Promise<O>;

/** Creates a group-committed operation; see the module comment. */
export function groupCommit<I, O>(options: GroupCommitOptions<I>): GroupCommitted<I, O> {
  const maxBatch = Math.max(1, options.maxBatch ?? 500);
  const maxInFlight = Math.max(1, options.maxInFlight ?? 2);
  let waiting: Array<Waiting<I>> = [];
  let inFlight = 0;
  let scheduled = false;

  const schedule = (): void => {
    if (scheduled || inFlight >= maxInFlight || waiting.length === 0) return;
    scheduled = true;
    // End of the current tick: calls made by the same burst of callbacks share the batch.
    setImmediate(flush);
  };

  // Never rejects (a synchronous throw of `single` included): every outcome goes to its caller.
  const runSingle = (w: Waiting<I>): Promise<void> => Promise.resolve().then(() => options.single(w.item)).then(w.resolve, w.reject);

  const runBatch = async (batch: Array<Waiting<I>>): Promise<void> => {
    if (batch.length === 1) return runSingle(batch[0]!);
    let results: unknown[];
    try {
      results = await options.many(batch.map((w) => w.item));
    } catch {
      // Attribute the failure: each item again on its own (they are idempotent or conditional).
      await Promise.all(batch.map(runSingle));
      return;
    }
    batch.forEach((w, i) => w.resolve(results[i]));
  };

  function flush(): void {
    scheduled = false;
    if (inFlight >= maxInFlight || waiting.length === 0) return;
    const batch: Array<Waiting<I>> = [];
    const rest: Array<Waiting<I>> = [];
    const keys = new Set<string>();
    for (const w of waiting) {
      const k = options.key(w.item);
      if (batch.length < maxBatch && !keys.has(k)) {
        keys.add(k);
        batch.push(w);
      } else {
        rest.push(w);
      }
    }
    waiting = rest;
    inFlight += 1;
    void runBatch(batch).finally(() => {
      inFlight -= 1;
      schedule();
    });
    schedule();
  }

  return (item: I) =>
    new Promise<O>((resolve, reject) => {
      waiting.push({ item, resolve: resolve as (v: unknown) => void, reject });
      schedule();
    });
}

/** How {@link perItem} runs a batched statement: each call alone, or group-committed with these limits. */
export type Batching = false | { maxBatch?: number; maxInFlight?: number };

let distinct = 0;
/** A key no other item has, for operations whose items may always share a batch. */
export const distinctKey = (): string => String(distinct++);

/**
 * A statement written for many items (`many`, one result per item, in order) as an operation on
 * one: alone it runs `many([item])`; group-committed, concurrent calls share one `many` and a
 * lone call is `many([item])` again, so every operation has exactly one statement.
 */
export function perItem<I, O>(batching: Batching, many: (items: I[]) => Promise<O[]>, key: (item: I) => string): (item: I) => Promise<O> {
  const one = async (item: I): Promise<O> => (await many([item]))[0] as O;
  if (batching === false) return one;
  return groupCommit<I, O>({ ...batching, key, single: one, many });
}
