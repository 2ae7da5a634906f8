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
  const env: Env = { condition, columns, index: new Map(columns.map((c, k) => [c, k])), where };
  const run = compileExpr(env, parseFilter(condition));
  return (row) => run(row) === true;
}

/** What every part of one condition is compiled against. */
interface Env {
  readonly condition: string;
  readonly columns: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  readonly where: (row: Row) => string;
}

type Getter = (row: Row) => Cell;
type TriPredicate = (row: Row) => Tri;

/** An operand resolved to a getter; `name` is the column's name (undefined for a literal), for errors. */
interface Resolved {
  readonly get: Getter;
  readonly name: string | undefined;
}

/** @throws NonRetryableError `UNKNOWN_COLUMN` when a column is not in `env.columns`. */
function resolveOperand(env: Env, o: Operand): Resolved {
  if (o.kind === 'column') {
    const k = env.index.get(o.name);
    if (k === undefined) throw unknownColumn(o.name, env.columns, `filter "${env.condition}"`);
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
}

/** Throws the data error for `value` in `row`, naming the column `name` (or "(literal)"). */
function failRow(env: Env, row: Row, message: string, name: string | undefined, value: Cell): never {
  throw dataError(`filter "${env.condition}": ${message}`, { row: row.n, at: env.where(row), column: name ?? '(literal)', value });
}

/** Compares through {@link compareCells}, a type mismatch reported for `row` against the column `name`. */
function compareInRow(env: Env, row: Row, name: string | undefined, a: Cell, b: Cell): number | null {
  return compareCells(a, b, (message, value) => failRow(env, row, message, name, value));
}

function compileExpr(env: Env, e: Expr): TriPredicate {
  switch (e.kind) {
    case 'and':
      return compileAnd(compileExpr(env, e.left), compileExpr(env, e.right));
    case 'or':
      return compileOr(compileExpr(env, e.left), compileExpr(env, e.right));
    case 'not':
      return compileNot(compileExpr(env, e.expr));
    case 'compare':
      return compileCompare(env, e);
    case 'is-null': {
      const o = resolveOperand(env, e.operand);
      return e.negated ? (row) => o.get(row) !== null : (row) => o.get(row) === null;
    }
    case 'in':
      return compileIn(env, e);
    case 'like':
      return compileLike(env, e);
    case 'between':
      return compileBetween(env, e);
    case 'truthy':
      return compileTruthy(env, e);
  }
}

/** SQL AND: false wins, then unknown. */
function compileAnd(l: TriPredicate, r: TriPredicate): TriPredicate {
  return (row) => {
    const a = l(row);
    if (a === false) return false;
    const b = r(row);
    if (b === false) return false;
    return a === null || b === null ? null : true;
  };
}

/** SQL OR: true wins, then unknown. */
function compileOr(l: TriPredicate, r: TriPredicate): TriPredicate {
  return (row) => {
    const a = l(row);
    if (a === true) return true;
    const b = r(row);
    if (b === true) return true;
    return a === null || b === null ? null : false;
  };
}

/** SQL NOT: unknown stays unknown. */
function compileNot(inner: TriPredicate): TriPredicate {
  return (row) => {
    const v = inner(row);
    return v === null ? null : !v;
  };
}

function compileCompare(env: Env, e: Extract<Expr, { kind: 'compare' }>): TriPredicate {
  const l = resolveOperand(env, e.left);
  const r = resolveOperand(env, e.right);
  const name = l.name ?? r.name;
  const test = TESTS[e.op];
  return (row) => {
    const c = compareInRow(env, row, name, l.get(row), r.get(row));
    return c === null ? null : test(c);
  };
}

/** `x [NOT] IN (…)`: a match decides; otherwise unknown when any comparison was. */
function compileIn(env: Env, e: Extract<Expr, { kind: 'in' }>): TriPredicate {
  const o = resolveOperand(env, e.operand);
  const list = e.list.map((item) => resolveOperand(env, item));
  return (row) => {
    const v = o.get(row);
    if (v === null) return null;
    let sawNull = false;
    for (const item of list) {
      const c = compareInRow(env, row, o.name, v, item.get(row));
      if (c === 0) return !e.negated;
      if (c === null) sawNull = true;
    }
    return sawNull ? null : e.negated;
  };
}

function compileLike(env: Env, e: Extract<Expr, { kind: 'like' }>): TriPredicate {
  const o = resolveOperand(env, e.operand);
  const re = likeToRegExp(e.pattern, e.caseInsensitive);
  return (row) => {
    const v = o.get(row);
    if (v === null) return null;
    return re.test(String(v)) !== e.negated;
  };
}

function compileBetween(env: Env, e: Extract<Expr, { kind: 'between' }>): TriPredicate {
  const o = resolveOperand(env, e.operand);
  const lo = resolveOperand(env, e.low);
  const hi = resolveOperand(env, e.high);
  return (row) => {
    const v = o.get(row);
    const a = compareInRow(env, row, o.name, v, lo.get(row));
    const b = compareInRow(env, row, o.name, v, hi.get(row));
    if (a === null || b === null) return null;
    return (a >= 0 && b <= 0) !== e.negated;
  };
}

/** A bare operand: a boolean (or 'true'/'false' text); anything else is a data error. */
function compileTruthy(env: Env, e: Extract<Expr, { kind: 'truthy' }>): TriPredicate {
  const o = resolveOperand(env, e.operand);
  return (row) => {
    const v = o.get(row);
    if (v === null) return null;
    const b = asBoolean(v);
    return b === undefined ? failRow(env, row, `"${String(v)}" is not a boolean; compare it instead (e.g. = 'x')`, o.name, v) : b;
  };
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
