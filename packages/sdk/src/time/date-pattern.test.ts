import { describe, expect, it } from 'vitest';
import { compileDatePattern, DatePatternError, datePatternTokens, formatDatePattern, parseDatePattern } from './date-pattern.js';

const at = { year: 2026, month: 3, day: 7, hour: 4, minute: 5, second: 6, millisecond: 7 };

describe('date patterns (the one implementation of the template date filter and the file executor)', () => {
  it('prints every token', () => {
    const p = compileDatePattern('yyyy yy MM M dd d HH H mm m ss s SSS');
    expect(formatDatePattern(p, at)).toBe('2026 26 03 3 07 7 04 4 05 5 06 6 007');
  });

  it('template form: other letters and quotes are printed as they are', () => {
    expect(formatDatePattern(compileDatePattern('yyyy-MM-ddTHH:mm'), at)).toBe('2026-03-07T04:05');
    expect(formatDatePattern(compileDatePattern("yyyyMMdd'x'"), at)).toBe("20260307'x'");
    expect(() => compileDatePattern('yyyyMMMdd')).toThrow(/unsupported date token "MMM"/);
  });

  it("file form: 'quoted' text, other letters refused", () => {
    const strict = { quotes: true, otherLetters: 'error' } as const;
    expect(formatDatePattern(compileDatePattern("yyyy-MM-dd'T'HH:mm 'o''clock' ''", strict), at)).toBe("2026-03-07T04:05 o'clock '");
    expect(() => compileDatePattern('dd/MM/yyyy QQ', strict)).toThrow(DatePatternError);
    expect(() => compileDatePattern('dd/MM/yyyy QQ', strict)).toThrow(/unknown letter "Q"/);
    expect(() => compileDatePattern("dd/MM/yyyy 'open", strict)).toThrow(/unterminated quote/);
  });

  it('reads back what it prints, padded fields exactly and the short ones with 1–2 digits', () => {
    const p = compileDatePattern('dd/MM/yyyy HH:mm:ss.SSS');
    expect(parseDatePattern(p, formatDatePattern(p, at))).toEqual(at);
    const short = compileDatePattern('d/M/yyyy');
    expect(parseDatePattern(short, ' 1/2/2026 ')).toEqual({ year: 2026, month: 2, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0 });
    expect(parseDatePattern(compileDatePattern('dd/MM/yyyy'), '1/2/2026')).toBeUndefined();
    expect(parseDatePattern(compileDatePattern('dd.MM.yy'), '07.03.26')?.year).toBe(2026);
    expect(parseDatePattern(compileDatePattern('dd.MM.yyyy'), '07x03x2026')).toBeUndefined();
  });

  it('lists the tokens a pattern uses', () => {
    expect([...datePatternTokens(compileDatePattern('yyyyMMdd HH'))].sort()).toEqual(['HH', 'MM', 'dd', 'yyyy']);
  });
});
