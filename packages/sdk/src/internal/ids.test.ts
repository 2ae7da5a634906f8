import { describe, expect, it } from 'vitest';
import { isUuid, uuidV7 } from './ids.js';

describe('uuidV7', () => {
  it('is a UUID of version 7, RFC 9562 variant, carrying the milliseconds it was made at', () => {
    const at = Date.UTC(2026, 11, 7, 18, 45, 0, 123);
    const id = uuidV7(at);
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });

  it('sorts by the millisecond it was made at, and never repeats', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => uuidV7(1_700_000_000_000 + Math.floor(i / 10)));
    expect(new Set(ids).size).toBe(ids.length);
    const prefixes = ids.map((x) => x.slice(0, 13));
    expect([...prefixes].sort()).toEqual(prefixes);
  });
});
