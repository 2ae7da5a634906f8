import type { ZodError } from 'zod';
import type { ValidationIssue } from './errors.js';

/** Formats a zod issue path as a JSON path: `$.steps[0].config.url`. */
export function toJsonPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '$';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && /^[A-Za-z_$][\w$]*$/.test(seg)) out += `.${seg}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

/** Converts every zod issue into a `{ path, message }` pair (unions flattened to their closest branch). */
export function zodIssues(error: ZodError): ValidationIssue[] {
  return error.issues.map((i) => ({ path: toJsonPath(i.path), message: i.message }));
}
