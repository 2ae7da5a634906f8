import { describe, expect, it } from 'vitest';
import { ExactDecimal } from '../values/decimal.js';
import { LocalDateTime } from '../values/local-date-time.js';
import { createConverter } from './type-conversion.js';

const bad = (v: unknown): boolean => typeof v === 'object' && v !== null && 'error' in v;

describe('type conversion', () => {
  it('integer', () => {
    const c = createConverter({ target_type: 'integer' });
    expect(c(' 42 ')).toBe(42);
    expect(c('-7')).toBe(-7);
    expect(c('3.00')).toBe(3);
    expect(c('')).toBeNull();
    expect(bad(c('3.5'))).toBe(true);
    expect(bad(c('12a'))).toBe(true);
    expect(bad(c('99999999999999999999'))).toBe(true);
    expect(createConverter({ target_type: 'integer', thousands_separator: '.' })('1.234.567')).toBe(1234567);
  });

  it('decimal stays exact', () => {
    const c = createConverter({ target_type: 'decimal' });
    expect(c('0001234567890123456.789')).toEqual(new ExactDecimal('1234567890123456.789'));
    expect(c(1.5)).toEqual(new ExactDecimal('1.5'));
    expect(bad(c('1,5'))).toBe(true);
    const vn = createConverter({ target_type: 'decimal', decimal_separator: ',', thousands_separator: '.' });
    expect(vn('1.234.567,89')).toEqual(new ExactDecimal('1234567.89'));
  });

  it('boolean, Vietnamese words included', () => {
    const c = createConverter({ target_type: 'boolean' });
    expect([c('TRUE'), c('1'), c('yes'), c('Có'), c('false'), c('0'), c('không'), c(1), c(0)]).toEqual([true, true, true, true, false, false, false, true, false]);
    expect(bad(c('maybe'))).toBe(true);
  });

  it('date with and without format', () => {
    expect(createConverter({ target_type: 'date', format: 'dd/MM/yyyy' })('30/11/2026')).toEqual(new LocalDateTime(2026, 11, 30));
    expect(createConverter({ target_type: 'date' })('2026-11-30')).toEqual(new LocalDateTime(2026, 11, 30));
    expect(bad(createConverter({ target_type: 'date', format: 'dd/MM/yyyy' })('2026-11-30'))).toBe(true);
  });

  it('string', () => {
    const c = createConverter({ target_type: 'string' });
    expect([c(5), c(true), c(new ExactDecimal('1.50')), c(null), c('x')]).toEqual(['5', 'true', '1.50', null, 'x']);
    expect(createConverter({ target_type: 'string', format: 'dd/MM/yyyy' })(new LocalDateTime(2026, 1, 2))).toBe('02/01/2026');
  });
});
