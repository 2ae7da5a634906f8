import { describe, expect, it } from 'vitest';
import { toBindValue, toJsonRow, toJsonValue } from './json-value.js';

describe('toJsonValue', () => {
  it('converts driver values to plain JSON', () => {
    const row = toJsonRow({
      d: new Date('2024-01-02T03:04:05.678Z'),
      bad: new Date('nope'),
      big: 12345678901234567890n,
      buf: Buffer.from([0xde, 0xad]),
      u8: new Uint8Array([1, 2, 3]),
      nan: Number.NaN,
      undef: undefined,
      dec: { toJSON: () => '12.50' },
      nested: { a: [1n, new Date(0)] },
      s: 'Nguyễn',
    });
    expect(row).toEqual({
      d: '2024-01-02T03:04:05.678Z',
      bad: null,
      big: '12345678901234567890',
      buf: '3q0=',
      u8: 'AQID',
      nan: null,
      undef: null,
      dec: '12.50',
      nested: { a: ['1', '1970-01-01T00:00:00.000Z'] },
      s: 'Nguyễn',
    });
    expect(JSON.parse(JSON.stringify(row))).toEqual(row);
    expect(toJsonValue(true)).toBe(true);
  });

  it('sends objects and arrays as JSON text to drivers that do not map them', () => {
    expect(toBindValue({ a: 1 })).toBe('{"a":1}');
    expect(toBindValue([1, 'x'])).toBe('[1,"x"]');
    expect(toBindValue(null)).toBeNull();
    expect(toBindValue("it's")).toBe("it's");
  });
});
