import { describe, expect, it } from 'vitest';
import { assertSafeJson, MAX_JSON_DEPTH } from './json-guard.js';

const nest = (n: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = { a: v };
  return v;
};

describe('assertSafeJson', () => {
  it('accepts ordinary bodies and nesting up to the limit', () => {
    expect(() => assertSafeJson({ name: 'Tiếng Việt 🙂', steps: [{ id: 'a' }] })).not.toThrow();
    expect(() => assertSafeJson(nest(MAX_JSON_DEPTH))).not.toThrow();
  });
  it('refuses deeper nesting (20,000 levels without overflowing), NUL and lone surrogates, naming the path', () => {
    expect(() => assertSafeJson(nest(MAX_JSON_DEPTH + 1))).toThrow(/nested deeper than 64/);
    expect(() => assertSafeJson(nest(20_000))).toThrow(/nested deeper/);
    try {
      assertSafeJson({ steps: [{ name: 'a\u0000b' }] });
      expect.unreachable();
    } catch (err) {
      expect((err as { issues: unknown }).issues).toEqual([{ path: '$.steps[0].name', message: 'contains a NUL character' }]);
    }
    expect(() => assertSafeJson({ x: 'a\ud800' })).toThrow(/lone surrogate/);
    expect(() => assertSafeJson({ x: '\udc00b' })).toThrow(/lone surrogate/);
    expect(() => assertSafeJson({ ['k\u0000']: 1 })).toThrow(/a key contains a NUL/);
  });
});
