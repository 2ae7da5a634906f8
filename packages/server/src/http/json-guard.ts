import { ValidationError, toJsonPath } from '@vecron/sdk';

/** Deepest nesting of objects and arrays a request body may have. */
export const MAX_JSON_DEPTH = 64;

/** What is wrong with a string, or null: a NUL character or a lone UTF-16 surrogate. */
function stringProblem(s: string): string | null {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) return 'contains a NUL character';
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else return 'contains a lone surrogate (not valid Unicode)';
    } else if (c >= 0xdc00 && c <= 0xdfff) return 'contains a lone surrogate (not valid Unicode)';
  }
  return null;
}

/**
 * Refuses a parsed JSON body nested deeper than {@link MAX_JSON_DEPTH}, or holding a NUL character
 * or a lone surrogate in any string or key (PostgreSQL cannot store them; deep nesting makes every
 * later walk over the data fail). Iterative, so a hostile body cannot overflow the stack here.
 *
 * @throws ValidationError naming the path of the first problem.
 */
export function assertSafeJson(value: unknown, what = 'request body'): void {
  const stack: Array<{ v: unknown; path: PropertyKey[] }> = [{ v: value, path: [] }];
  while (stack.length) {
    const { v, path } = stack.pop()!;
    if (typeof v === 'string') {
      const p = stringProblem(v);
      if (p) throw new ValidationError(what, [{ path: toJsonPath(path), message: p }]);
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (path.length >= MAX_JSON_DEPTH) throw new ValidationError(what, [{ path: toJsonPath(path.slice(0, 8)) + '…', message: `is nested deeper than ${MAX_JSON_DEPTH} levels` }]);
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: [...path, i] });
    } else {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        const p = stringProblem(k);
        if (p) throw new ValidationError(what, [{ path: toJsonPath(path), message: `a key ${p}` }]);
        stack.push({ v: x, path: [...path, k] });
      }
    }
  }
}
