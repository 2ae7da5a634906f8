/**
 * Exact decimal numbers kept as canonical text ("-1234.50"), so money never passes through a
 * binary float. Comparison works digit by digit.
 */
export class ExactDecimal {
  /** Canonical text: optional `-`, integer part without leading zeros, `.` and the fraction as given. */
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  /** JSON form: the canonical text (exact). */
  toJSON(): string {
    return this.text;
  }
  /** The text. */
  toString(): string {
    return this.text;
  }
  /** Nearest binary float (for XLSX cells, which hold doubles anyway). */
  toNumber(): number {
    return Number(this.text);
  }
}

const DECIMAL_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,6}))?$/;

/**
 * Canonicalises decimal text (`+001.50` → `1.50`, `1e3` → `1000`, `-0` → `0`).
 * Returns undefined when `text` is not a decimal number.
 */
export function normalizeDecimal(text: string): string | undefined {
  const m = DECIMAL_RE.exec(text);
  if (!m) return undefined;
  const sign = m[1] === '-' ? '-' : '';
  let int = m[2] ?? '';
  let frac = m[3] ?? '';
  if (int === '' && frac === '') return undefined;
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  if (exp > 0) {
    const move = frac.slice(0, exp).padEnd(exp, '0');
    int += move;
    frac = frac.slice(exp);
  } else if (exp < 0) {
    const n = -exp;
    const padded = int.padStart(n, '0');
    frac = padded.slice(padded.length - n) + frac;
    int = padded.slice(0, padded.length - n);
    if (exp !== 0) frac = frac.replace(/0+$/, '');
  }
  int = int.replace(/^0+/, '') || '0';
  const isZero = /^0*$/.test(int) && /^0*$/.test(frac);
  return `${isZero ? '' : sign}${int}${frac === '' ? '' : `.${frac}`}`;
}

/** Canonical decimal text of a finite JS number. */
export function numberToDecimal(n: number): string {
  const s = normalizeDecimal(String(n));
  if (s === undefined) throw new RangeError(`not a finite number: ${n}`);
  return s;
}

/** Compares two canonical decimal texts exactly: negative, zero or positive. */
export function compareDecimal(a: string, b: string): number {
  const negA = a.startsWith('-');
  const negB = b.startsWith('-');
  if (negA !== negB) return negA ? -1 : 1;
  const abs = compareAbs(negA ? a.slice(1) : a, negB ? b.slice(1) : b);
  return negA ? -abs : abs;
}

function compareAbs(a: string, b: string): number {
  const [ai = '0', af = ''] = a.split('.');
  const [bi = '0', bf = ''] = b.split('.');
  if (ai.length !== bi.length) return ai.length < bi.length ? -1 : 1;
  if (ai !== bi) return ai < bi ? -1 : 1;
  const len = Math.max(af.length, bf.length);
  const pa = af.padEnd(len, '0');
  const pb = bf.padEnd(len, '0');
  return pa === pb ? 0 : pa < pb ? -1 : 1;
}
