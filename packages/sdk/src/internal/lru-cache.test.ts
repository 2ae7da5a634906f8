import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LruCache } from './lru-cache.js';

describe('LruCache', () => {
  it('drops the least recently used entry once full; get and set refresh recency', () => {
    const c = new LruCache<string, number | null>(3);
    c.set('a', 1);
    c.set('b', null);
    c.set('c', 3);
    expect(c.get('a')).toBe(1); // a is now the newest: b is the oldest
    c.set('d', 4);
    expect(c.size).toBe(3);
    expect(c.get('b')).toBeUndefined();
    c.set('c', 30); // overwrite refreshes c: a is the oldest
    c.set('e', 5);
    expect(c.get('a')).toBeUndefined();
    expect([c.get('c'), c.get('d'), c.get('e')]).toEqual([30, 4, 5]);
  });

  it('keeps null values apart from missing keys', () => {
    const c = new LruCache<string, number | null>(2);
    c.set('none', null);
    expect(c.get('none')).toBeNull();
    expect(c.get('other')).toBeUndefined();
  });

  it('never holds more than its capacity and always the most recent keys (model check)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 20 }))), (capacity, ops) => {
      const c = new LruCache<number, number>(capacity);
      const model: number[] = []; // keys, oldest first
      for (const [isSet, k] of ops) {
        const i = model.indexOf(k);
        if (isSet) {
          c.set(k, k * 10);
          if (i >= 0) model.splice(i, 1);
          else if (model.length === capacity) model.shift();
          model.push(k);
        } else {
          expect(c.get(k)).toBe(i >= 0 ? k * 10 : undefined);
          if (i >= 0) model.push(...model.splice(i, 1));
        }
        expect(c.size).toBe(model.length);
        expect(c.size).toBeLessThanOrEqual(capacity);
      }
    }));
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new LruCache(0)).toThrow(RangeError);
    expect(() => new LruCache(1.5)).toThrow(RangeError);
  });
});
