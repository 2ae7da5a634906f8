/**
 * A bounded least-recently-used cache on a `Map` (insertion order = recency order): get and set
 * are O(1), and the entry used longest ago is dropped once `capacity` is reached, so a cache in a
 * long-running process never grows without bound. Values must not be `undefined` (that is what
 * {@link LruCache.get} answers for a missing key); `null` is fine.
 */
export class LruCache<K, V> {
  readonly #entries = new Map<K, V>();

  /** @param capacity most entries kept (a positive integer). */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`LruCache capacity must be a positive integer, got ${capacity}`);
  }

  /** Entries currently held (never more than `capacity`). */
  get size(): number {
    return this.#entries.size;
  }

  /** The value under `key` (marking it most recently used), or undefined. */
  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  /** Stores `value` under `key` as the most recently used entry, dropping the oldest when full. */
  set(key: K, value: V): void {
    if (this.#entries.has(key)) this.#entries.delete(key);
    else if (this.#entries.size >= this.capacity) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, value);
  }

  /** Drops every entry. */
  clear(): void {
    this.#entries.clear();
  }
}
