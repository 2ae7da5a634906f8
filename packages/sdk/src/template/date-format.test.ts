import { describe, expect, it } from 'vitest';
import { compileDateFormat, compileDateOffset, formatInstant, InvalidDateSpec } from './date-format.js';

const fmt = (iso: string, tz: string, format: string, offset?: string): string =>
  formatInstant(Date.parse(iso), tz, compileDateFormat(format), offset ? compileDateOffset(offset) : []);

describe('compileDateFormat', () => {
  it('splits tokens and literal text', () => {
    expect(compileDateFormat("yyyy-MM-dd'T'HH")).toEqual([
      { token: 'yyyy' }, { literal: '-' }, { token: 'MM' }, { literal: '-' }, { token: 'dd' }, { literal: "'T'" }, { token: 'HH' },
    ]);
  });

  it.each(['yyy', 'y', 'MMM', 'ddd', 'HHH', 'mmm', 'sss', 'SS', 'S', 'yyyyy'])('rejects the run "%s"', (run) => {
    expect(() => compileDateFormat(`x${run}x`)).toThrow(InvalidDateSpec);
  });
});

describe('compileDateOffset', () => {
  it('parses signed terms in order', () => {
    expect(compileDateOffset('-1M+2d-3h')).toEqual([{ amount: -1, unit: 'M' }, { amount: 2, unit: 'd' }, { amount: -3, unit: 'h' }]);
  });
  it.each(['', '1d', '-1', '-1D', 'yesterday', '-1d ', '--1d', '-1x'])('rejects %j', (o) => {
    expect(() => compileDateOffset(o)).toThrow(InvalidDateSpec);
  });
});

describe('formatInstant', () => {
  it('reads the wall clock in the zone', () => {
    expect(fmt('2026-12-31T17:00:00Z', 'Asia/Ho_Chi_Minh', 'yyyy-MM-dd HH:mm:ss')).toBe('2027-01-01 00:00:00');
    expect(fmt('2026-12-31T16:59:59.999Z', 'Asia/Ho_Chi_Minh', 'yyyy-MM-dd HH:mm:ss.SSS')).toBe('2026-12-31 23:59:59.999');
    expect(fmt('2026-07-04T03:00:00Z', 'America/New_York', 'yyyy-MM-dd H')).toBe('2026-07-03 23');
    expect(fmt('2026-01-04T03:00:00Z', 'America/New_York', 'yyyy-MM-dd H')).toBe('2026-01-03 22');
    expect(fmt('2026-03-05T06:07:08.009Z', 'UTC', 'yy M d H m s SSS')).toBe('26 3 5 6 7 8 009');
  });

  it('yesterday across a month and a year boundary', () => {
    expect(fmt('2026-03-01T01:00:00Z', 'Asia/Ho_Chi_Minh', 'yyyyMMdd', '-1d')).toBe('20260228');
    expect(fmt('2028-03-01T01:00:00Z', 'Asia/Ho_Chi_Minh', 'yyyyMMdd', '-1d')).toBe('20280229');
    expect(fmt('2027-01-01T01:00:00Z', 'Asia/Ho_Chi_Minh', 'yyyyMMdd', '-1d')).toBe('20261231');
  });

  it('months clamp to the last day; years handle 29 February', () => {
    expect(fmt('2026-03-31T05:00:00Z', 'UTC', 'yyyy-MM-dd', '-1M')).toBe('2026-02-28');
    expect(fmt('2028-03-31T05:00:00Z', 'UTC', 'yyyy-MM-dd', '-1M')).toBe('2028-02-29');
    expect(fmt('2026-01-31T05:00:00Z', 'UTC', 'yyyy-MM-dd', '+1M')).toBe('2026-02-28');
    expect(fmt('2026-12-15T05:00:00Z', 'UTC', 'yyyy-MM-dd', '+1M')).toBe('2027-01-15');
    expect(fmt('2026-01-15T05:00:00Z', 'UTC', 'yyyy-MM-dd', '-13M')).toBe('2024-12-15');
    expect(fmt('2028-02-29T05:00:00Z', 'UTC', 'yyyy-MM-dd', '+1y')).toBe('2029-02-28');
    expect(fmt('2026-01-15T05:00:00Z', 'UTC', 'yyyy-MM-dd', '-2w')).toBe('2026-01-01');
  });

  it('applies terms left to right on the wall clock', () => {
    expect(fmt('2026-03-31T05:00:00Z', 'UTC', 'yyyy-MM-dd', '-1M-1d')).toBe('2026-02-27');
    expect(fmt('2026-03-31T05:00:00Z', 'UTC', 'yyyy-MM-dd', '-1d-1M')).toBe('2026-02-28');
    expect(fmt('2026-03-01T00:30:00Z', 'UTC', 'yyyy-MM-dd HH:mm:ss', '-1h-1m-1s')).toBe('2026-02-28 23:28:59');
  });

  it('a day offset is one calendar day on a DST night, not 24 hours', () => {
    // 2026-03-08 is the spring-forward day in New York; 12:00 local on the 9th minus 1d is 12:00 on the 8th.
    expect(fmt('2026-03-09T16:00:00Z', 'America/New_York', 'yyyy-MM-dd HH:mm', '-1d')).toBe('2026-03-08 12:00');
  });

  it('pads years before 1000', () => {
    expect(fmt('0099-06-01T00:00:00Z', 'UTC', 'yyyy yy')).toBe('0099 99');
  });
});
