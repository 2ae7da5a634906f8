import type { Cell } from '../values/cell.js';
import { compileDateFormat, parseIsoLocal } from '../values/date-format.js';
import type { DateFormat } from '../values/date-format.js';
import { ExactDecimal, normalizeDecimal, numberToDecimal } from '../values/decimal.js';
import { LocalDateTime } from '../values/local-date-time.js';

/** Target types of `type_conversion`. */
export type TargetType = 'string' | 'integer' | 'decimal' | 'boolean' | 'date';

/** What a `type_conversion` transformation asks for. */
export interface ConversionSpec {
  target_type: TargetType;
  format?: string | undefined;
  decimal_separator?: '.' | ',' | undefined;
  thousands_separator?: ',' | '.' | ' ' | '_' | undefined;
}

/** Converts one cell; returns the new cell or a reason string (`{ error }`) when it cannot. */
export type CellConverter = (value: Cell) => Cell | { error: string };

const TRUE_WORDS = new Set(['true', '1', 'yes', 'y', 't', 'có', 'co']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'n', 'f', 'không', 'khong']);

/**
 * Builds a converter. Blank cells (null or empty text) become null (`string` keeps `''`).
 * `decimal` yields an {@link ExactDecimal} (exact text in JSON, a number in XLSX);
 * `integer` a JS number (must be a safe integer); `date` a {@link LocalDateTime}.
 */
export function createConverter(spec: ConversionSpec): CellConverter {
  const dateFormat: DateFormat | undefined = spec.format === undefined ? undefined : compileDateFormat(spec.format);
  const numberText = (s: string): string | undefined => {
    let t = s.trim();
    if (spec.thousands_separator !== undefined) t = t.split(spec.thousands_separator).join('');
    if (spec.decimal_separator === ',') t = t.replace(',', '.');
    return /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(t) ? normalizeDecimal(t) : undefined;
  };
  switch (spec.target_type) {
    case 'string':
      return (v) => {
        if (v === null || typeof v === 'string') return v;
        if (v instanceof LocalDateTime && dateFormat) return dateFormat.format(v);
        return String(v);
      };
    case 'integer':
      return (v) => {
        if (v === null || v === '') return null;
        let text: string | undefined;
        if (typeof v === 'number') text = Number.isFinite(v) ? numberToDecimal(v) : undefined;
        else if (v instanceof ExactDecimal) text = v.text;
        else if (typeof v === 'string') text = numberText(v);
        if (text === undefined) return { error: 'is not a number' };
        const [int, frac = ''] = text.split('.');
        if (!/^0*$/.test(frac)) return { error: 'is not a whole number' };
        const n = Number(int);
        if (!Number.isSafeInteger(n)) return { error: 'is too large for an integer (use decimal or string)' };
        return n === 0 ? 0 : n; // no -0
      };
    case 'decimal':
      return (v) => {
        if (v === null || v === '') return null;
        if (v instanceof ExactDecimal) return v;
        if (typeof v === 'number') return Number.isFinite(v) ? new ExactDecimal(numberToDecimal(v)) : { error: 'is not a finite number' };
        if (typeof v === 'string') {
          const text = numberText(v);
          return text === undefined ? { error: 'is not a decimal number' } : new ExactDecimal(text);
        }
        return { error: 'is not a decimal number' };
      };
    case 'boolean':
      return (v) => {
        if (v === null || v === '') return null;
        if (typeof v === 'boolean') return v;
        if (typeof v === 'number') return v === 1 ? true : v === 0 ? false : { error: 'is not 0 or 1' };
        if (typeof v === 'string') {
          const s = v.trim().toLowerCase();
          if (TRUE_WORDS.has(s)) return true;
          if (FALSE_WORDS.has(s)) return false;
        }
        return { error: 'is not a boolean (true/false, 1/0, yes/no, có/không)' };
      };
    case 'date':
      return (v) => {
        if (v === null || v === '') return null;
        if (v instanceof LocalDateTime) return v;
        if (typeof v === 'string') {
          const d = dateFormat ? dateFormat.parse(v) : parseIsoLocal(v);
          return d ?? { error: `is not a date${dateFormat ? ` in format ${dateFormat.pattern}` : ' (yyyy-MM-dd; set format for others)'}` };
        }
        return { error: 'is not a date' };
      };
  }
}
