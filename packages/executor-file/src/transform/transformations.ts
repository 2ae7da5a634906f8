import { NonRetryableError } from '@vecron/sdk';
import type { Transformation } from '../config.js';
import { dataError, FILE_ERROR_CODES, unknownColumn } from '../errors.js';
import { compileFilter } from '../filter/compile.js';
import type { Row } from '../values/cell.js';
import { createConverter } from './type-conversion.js';

/** Transformations compiled against a column list. */
export interface CompiledPlan {
  /** Output column names, in order. */
  readonly columns: readonly string[];
  /** Applies every transformation in order to one row; undefined when a filter drops it. The row is changed in place. */
  apply(row: Row): Row | undefined;
}

type Step = (row: Row) => boolean;

/**
 * Compiles `transformations` (then the optional `columns` projection) for a source with the
 * given columns. Column names are checked here, once, so an unknown column fails before any
 * row is read or written.
 *
 * @param where names a row's place in the source for error messages ("line 12", "row 12 of sheet …").
 */
export function compilePlan(transformations: readonly Transformation[], sourceColumns: readonly string[], where: (row: Row) => string, project?: readonly string[]): CompiledPlan {
  let columns = [...sourceColumns];
  const steps: Step[] = [];
  transformations.forEach((t, k) => {
    const label = `transformations[${k}] (${t.type})`;
    switch (t.type) {
      case 'column_mapping': {
        const pairs = t.mapping ? Object.entries(t.mapping) : [[t.from!, t.to!] as [string, string]];
        const next = [...columns];
        for (const [from, to] of pairs) {
          const at = columns.indexOf(from);
          if (at < 0) throw unknownColumn(from, columns, label);
          next[at] = to;
        }
        assertUnique(next, label);
        columns = next;
        break;
      }
      case 'type_conversion': {
        const at = columns.indexOf(t.column);
        if (at < 0) throw unknownColumn(t.column, columns, label);
        const convert = createConverter(t);
        const column = t.column;
        steps.push((row) => {
          const before = row.cells[at] ?? null;
          const after = convert(before);
          if (after !== null && typeof after === 'object' && 'error' in after) {
            throw dataError(`cannot convert "${String(before)}" to ${t.target_type}: ${after.error}`, { row: row.n, at: where(row), column, value: before });
          }
          row.cells[at] = after;
          return true;
        });
        break;
      }
      case 'filter': {
        const keep = compileFilter(t.condition, columns, where);
        steps.push(keep);
        break;
      }
    }
  });
  if (project) {
    const indexes = project.map((name) => {
      const at = columns.indexOf(name);
      if (at < 0) throw unknownColumn(name, columns, 'options.columns');
      return at;
    });
    assertUnique(project, 'options.columns');
    const identity = indexes.length === columns.length && indexes.every((v, k) => v === k);
    if (!identity) {
      steps.push((row) => {
        row.cells = indexes.map((k) => row.cells[k] ?? null);
        return true;
      });
      columns = [...project];
    }
  }
  return {
    columns,
    apply(row) {
      for (const step of steps) if (!step(row)) return undefined;
      return row;
    },
  };
}

/** @throws NonRetryableError `DUPLICATE_COLUMN` when two columns share a name. */
export function assertUnique(columns: readonly string[], label: string): void {
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c)) throw new NonRetryableError(`${label}: duplicate column "${c}"`, { code: FILE_ERROR_CODES.DUPLICATE_COLUMN, details: { column: c } });
    seen.add(c);
  }
}
