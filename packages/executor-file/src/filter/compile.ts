import { dataError, unknownColumn } from '../errors.js';
import { isBlank } from '../values/cell.js';
import type { Cell, Row } from '../values/cell.js';
import { compareDecimal, ExactDecimal, normalizeDecimal, numberToDecimal } from '../values/decimal.js';
import { parseIsoLocal } from '../values/date-format.js';
import { LocalDateTime } from '../values/local-date-time.js';
import type { Expr, Literal, Operand } from './ast.js';
import { parseFilter } from './parser.js';

/** Three-valued result, as in SQL: a row is kept only when its condition is `true`. */
type Tri = boolean | null;

/** A compiled condition: evaluates one row; `describe(row)` names the row's place for errors. */
export type RowPredicate = (row: Row) => boolean;

/**
 * Compiles a filter condition against the column list. Comparisons with NULL (or an empty
 * cell) are unknown, so `amount > 5` drops rows with no amount; use `IS NULL` to test for blanks.
 *
 * @throws FilterSyntaxError on a syntax error; NonRetryableError `UNKNOWN_COLUMN` on an unknown column.
 */
export function compileFilter(condition: string, columns: readonly string[], where: (row: Row) => string): RowPredicate {
  const expr = parseFilter(condition);
  const index = new Map(columns.map((c, k) => [c, k]));
  type Getter = (row: Row) => Cell;
  type Ctx = { name: string | undefined };

  const operand = (o: Operand): { get: Getter; name: string | undefined } => {
    if (o.kind === 'column') {
      const k = index.get(o.name);
      if (k === undefined) throw unknownColumn(o.name, columns, `filter "${condition}"`);
      return {
        get: (row) => {
          const v = row.cells[k];
          return isBlank(v) ? null : (v as Cell);
        },
        name: o.name,
      };
    }
    const value = literalValue(o.literal);
    return { get: () => value, name: undefined };
  };

  const fail = (row: Row, message: string, ctx: Ctx, value: Cell): never => {
    throw dataError(`filter "${condition}": ${message}`, { row: row.n, at: where(row), column: ctx.name ?? '(literal)', value });
  };

  const compile = (e: Expr): ((row: Row) => Tri) => {
    switch (e.kind) {
      case 'and': {
        const l = compile(e.left);
        const r = compile(e.right);
        return (row) => {
          const a = l(row);
          if (a === false) return false;
          const b = r(row);
          if (b === false) return false;
          return a === null || b === null ? null : true;
        };
      }
      case 'or': {
        const l = compile(e.left);
        const r = compile(e.right);
        return (row) => {
          const a = l(row);
          if (a === true) return true;
          const b = r(row);
          if (b === true) return true;
          return a === null || b === null ? null : false;
        };
      }
      case 'not': {
        const inner = compile(e.expr);
        return (row) => {
          const v = inner(row);
          return v === null ? null : !v;
        };
      }
      case 'compare': {
        const l = operand(e.left);
        const r = operand(e.right);
        const ctx: Ctx = { name: l.name ?? r.name };
        const test = TESTS[e.op];
        return (row) => {
          const c = compareCells(l.get(row), r.get(row), (m, v) => fail(row, m, ctx, v));
          return c === null ? null : test(c);
        };
      }
      case 'is-null': {
        const o = operand(e.operand);
        return e.negated ? (row) => o.get(row) !== null : (row) => o.get(row) === null;
      }
      case 'in': {
        const o = operand(e.operand);
        const list = e.list.map(operand);
        const ctx: Ctx = { name: o.name };
        return (row) => {
          const v = o.get(row);
          if (v === null) return null;
          let sawNull = false;
          for (const item of list) {
            const c = compareCells(v, item.get(row), (m, bad) => fail(row, m, ctx, bad));
            if (c === 0) return !e.negated;
            if (c === null) sawNull = true;
          }
          return sawNull ? null : e.negated;
        };
      }
      case 'like': {
        const o = operand(e.operand);
        const re = likeToRegExp(e.pattern, e.caseInsensitive);
        return (row) => {
          const v = o.get(row);
          if (v === null) return null;
          return re.test(String(v)) !== e.negated;
        };
      }
      case 'between': {
        const o = operand(e.operand);
        const lo = operand(e.low);
        const hi = operand(e.high);
        const ctx: Ctx = { name: o.name };
        return (row) => {
          const v = o.get(row);
          const report = (m: string, bad: Cell): never => fail(row, m, ctx, bad);
          const a = compareCells(v, lo.get(row), report);
          const b = compareCells(v, hi.get(row), report);
          if (a === null || b === null) return null;
          return (a >= 0 && b <= 0) !== e.negated;
        };
      }
      case 'truthy': {
        const o = operand(e.operand);
        const ctx: Ctx = { name: o.name };
        return (row) => {
          const v = o.get(row);
          if (v === null) return null;
          const b = asBoolean(v);
          return b === undefined ? fail(row, `"${String(v)}" is not a boolean; compare it instead (e.g. = 'x')`, ctx, v) : b;
        };
      }
    }
  };

  const run = compile(expr);
  return (row) => run(row) === true;
}

const TESTS: Record<'=' | '!=' | '<' | '<=' | '>' | '>=', (c: number) => boolean> = {
  '=': (c) => c === 0,
  '!=': (c) => c !== 0,
  '<': (c) => c < 0,
  '<=': (c) => c <= 0,
  '>': (c) => c > 0,
  '>=': (c) => c >= 0,
};

function literalValue(l: Literal): Cell {
  switch (l.type) {
    case 'string':
      return l.value === '' ? null : l.value;
    case 'number':
      return new ExactDecimal(normalizeDecimal(l.text) ?? l.text);
    case 'boolean':
      return l.value;
    case 'null':
      return null;
  }
}

function asBoolean(v: Cell): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === 'true') return true;
    if (s === 'false') return false;
  }
  return undefined;
}

function decimalText(v: Cell): string | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? numberToDecimal(v) : undefined;
  if (v instanceof ExactDecimal) return v.text;
  if (typeof v === 'string') return normalizeDecimal(v.trim());
  return undefined;
}

function kind(v: Cell): 'num' | 'str' | 'bool' | 'date' {
  if (typeof v === 'number' || v instanceof ExactDecimal) return 'num';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof LocalDateTime) return 'date';
  return 'str';
}

/**
 * Compares two cells; null when either is null. Numbers compare exactly (decimal text), a
 * numeric text compares as a number against a number, dates against ISO text, booleans
 * against 'true'/'false'. Anything else that mixes types is reported through `fail`.
 */
export function compareCells(a: Cell, b: Cell, fail: (message: string, value: Cell) => never): number | null {
  if (a === null || b === null) return null;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  const ka = kind(a);
  const kb = kind(b);
  if (ka === 'str' && kb === 'str') return a < b ? -1 : a > b ? 1 : 0;
  if (ka === 'num' || kb === 'num') {
    const da = decimalText(a);
    const db = decimalText(b);
    if (da === undefined) return fail(`"${String(a)}" is not a number`, a);
    if (db === undefined) return fail(`"${String(b)}" is not a number`, b);
    return compareDecimal(da, db);
  }
  if (ka === 'date' || kb === 'date') {
    const ta = a instanceof LocalDateTime ? a : typeof a === 'string' ? parseIsoLocal(a) : undefined;
    const tb = b instanceof LocalDateTime ? b : typeof b === 'string' ? parseIsoLocal(b) : undefined;
    if (!ta) return fail(`"${String(a)}" is not a date (yyyy-MM-dd)`, a);
    if (!tb) return fail(`"${String(b)}" is not a date (yyyy-MM-dd)`, b);
    return Math.sign(ta.epochMs - tb.epochMs);
  }
  const ba = asBoolean(a);
  const bb = asBoolean(b);
  if (ba === undefined) return fail(`"${String(a)}" is not a boolean`, a);
  if (bb === undefined) return fail(`"${String(b)}" is not a boolean`, b);
  return Number(ba) - Number(bb);
}

/** LIKE pattern → anchored RegExp: `%` any run, `_` one character, `\` escapes the next character. */
export function likeToRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  let src = '';
  const chars = Array.from(pattern);
  for (let k = 0; k < chars.length; k++) {
    const c = chars[k]!;
    if (c === '\\' && k + 1 < chars.length) {
      src += escapeRe(chars[++k]!);
    } else if (c === '%') {
      src += '.*';
    } else if (c === '_') {
      src += '.';
    } else {
      src += escapeRe(c);
    }
  }
  return new RegExp(`^${src}$`, caseInsensitive ? 'isu' : 'su');
}

function escapeRe(c: string): string {
  // Only syntax characters: with the `u` flag any other escaped character is a SyntaxError.
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
