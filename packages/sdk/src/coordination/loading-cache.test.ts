import { describe, expect, it } from 'vitest';
import { loadingCache } from './loading-cache.js';

/** A load that resolves when told to, counting its calls. */
function gate<T>() {
  let calls = 0;
  let open!: (value: T) => void;
  let fail!: (err: Error) => void;
  const load = (): Promise<T> => {
    calls++;
    return new Promise<T>((resolve, reject) => ((open = resolve), (fail = reject)));
  };
  return { load, calls: () => calls, open: (v: T) => open(v), fail: (e: Error) => fail(e) };
}

describe('loadingCache', () => {
  it('callers that miss while a load of their key runs share it: 100 concurrent misses load once', async () => {
    const cache = loadingCache();
    const g = gate<string>();
    const all = Promise.all(Array.from({ length: 100 }, () => cache.get('job:1', 60_000, g.load)));
    expect(g.calls()).toBe(1);
    g.open('v1');
    expect(new Set(await all)).toEqual(new Set(['v1']));
    expect(await cache.get('job:1', 60_000, g.load)).toBe('v1');
    expect(g.calls()).toBe(1);
    // Another key has its own load.
    const other = cache.get('job:2', 60_000, g.load);
    expect(g.calls()).toBe(2);
    g.open('v2');
    expect(await other).toBe('v2');
  });

  it('a key dropped while its load runs is not filled by it; the next caller loads again', async () => {
    const cache = loadingCache();
    const first = gate<string>();
    const before = cache.get('job:1', 60_000, first.load);
    cache.delete('job:1');
    const second = gate<string>();
    const after = cache.get('job:1', 60_000, second.load);
    expect(second.calls()).toBe(1);
    second.open('new');
    first.open('old');
    expect(await before).toBe('old');
    expect(await after).toBe('new');
    expect(await cache.get('job:1', 60_000, async () => 'reloaded')).toBe('new');
    cache.clear();
    expect(await cache.get('job:1', 60_000, async () => 'reloaded')).toBe('reloaded');
  });

  it('a failed load rejects every caller that shared it and caches nothing; so does a loader that throws at once', async () => {
    const cache = loadingCache();
    const g = gate<string>();
    const a = cache.get('job:1', 60_000, g.load);
    const b = cache.get('job:1', 60_000, g.load);
    const boom = new Error('database down');
    g.fail(boom);
    await expect(a).rejects.toBe(boom);
    await expect(b).rejects.toBe(boom);
    expect(await cache.get('job:1', 60_000, async () => 'ok')).toBe('ok');
    const sync = new Error('sync');
    await expect(cache.get('job:2', 60_000, () => {
      throw sync;
    })).rejects.toBe(sync);
    expect(await cache.get('job:2', 60_000, async () => 'ok')).toBe('ok');
  });

  it('a value expires after its TTL, judged by the given clock from the end of its load', async () => {
    let t = 0;
    const cache = loadingCache(() => t);
    const g = gate<number>();
    const p = cache.get('k', 100, g.load);
    t = 50;
    g.open(1);
    await p;
    t = 149;
    expect(await cache.get('k', 100, async () => 2)).toBe(1);
    t = 150;
    expect(await cache.get('k', 100, async () => 2)).toBe(2);
  });
});
