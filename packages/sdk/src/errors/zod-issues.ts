import type { z, ZodError, ZodType } from 'zod';
import { ConfigError } from './errors.js';
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

/**
 * Parses `input` with `schema` once, at a boundary (plugin options, configuration).
 *
 * @throws ConfigError naming `what` and listing every issue with its JSON path.
 */
export function parseConfig<S extends ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ConfigError(what, zodIssues(result.error));
  return result.data;
}
