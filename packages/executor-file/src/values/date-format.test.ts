import { describe, expect, it } from 'vitest';
import { compileDateFormat, parseIsoLocal } from './date-format.js';

describe('date formats', () => {
  it('parses and formats dd/MM/yyyy, d/M/yyyy and times', () => {
    const f = compileDateFormat('dd/MM/yyyy');
    expect(f.parse('31/12/2026')?.toString()).toBe('2026-12-31');
    expect(f.parse('1/2/2026')).toBeUndefined();
    expect(compileDateFormat('d/M/yyyy').parse('1/2/2026')?.toString()).toBe('2026-02-01');
    const t = compileDateFormat("yyyy-MM-dd'T'HH:mm:ss");
    expect(t.parse('2026-11-30T07:05:09')?.toString()).toBe('2026-11-30T07:05:09');
    expect(f.format(f.parse('05/01/2026')!)).toBe('05/01/2026');
  });

  it('rejects impossible dates and bad patterns', () => {
    const f = compileDateFormat('dd/MM/yyyy');
    expect(f.parse('30/02/2026')).toBeUndefined();
    expect(f.parse('29/02/2024')?.toString()).toBe('2024-02-29');
    expect(f.parse('29/02/2100')).toBeUndefined();
    expect(() => compileDateFormat('dd/MM')).toThrow(/no year/);
    expect(() => compileDateFormat('dd/MM/yyyy QQ')).toThrow(/unknown letter "Q"/);
  });

  it('parses ISO text, keeping the wall-clock time', () => {
    expect(parseIsoLocal('2026-01-02')?.toString()).toBe('2026-01-02');
    expect(parseIsoLocal('2026-01-02 03:04')?.toString()).toBe('2026-01-02T03:04:00');
    expect(parseIsoLocal('2026-01-02T03:04:05.120+07:00')?.toString()).toBe('2026-01-02T03:04:05.120');
    expect(parseIsoLocal('02/01/2026')).toBeUndefined();
  });
});
