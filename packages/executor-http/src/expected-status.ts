import { z } from 'zod';

/**
 * One accepted-status rule: an exact code (`204`), a class (`"2xx"`) or an inclusive range
 * (`"200-299"`).
 */
export const statusRuleSchema = z.union([
  z.int().min(100).max(599),
  z
    .string()
    .trim()
    .regex(/^([1-5]xx|[1-5]\d\d|[1-5]\d\d-[1-5]\d\d)$/i, 'must be a status code, a class like "2xx" or a range like "200-204"')
    .refine((s) => {
      const m = /^(\d{3})-(\d{3})$/.exec(s);
      return !m || Number(m[1]) <= Number(m[2]);
    }, 'range start must not exceed its end'),
]);

/** `expected_status`: one rule or a non-empty list of rules. */
export const expectedStatusSchema = z.union([statusRuleSchema, z.array(statusRuleSchema).min(1)]);

/** A parsed `expected_status` value. */
export type ExpectedStatus = z.infer<typeof expectedStatusSchema>;

/** The default when a step sets no `expected_status`: any 2xx. */
export const DEFAULT_EXPECTED_STATUS: ExpectedStatus = '2xx';

function matchesRule(status: number, rule: number | string): boolean {
  if (typeof rule === 'number') return status === rule;
  const r = rule.trim().toLowerCase();
  if (r.endsWith('xx')) return Math.floor(status / 100) === Number(r[0]);
  const range = /^(\d{3})-(\d{3})$/.exec(r);
  if (range) return status >= Number(range[1]) && status <= Number(range[2]);
  return status === Number(r);
}

/** True when `status` satisfies `expected` (any rule of a list). */
export function isExpectedStatus(status: number, expected: ExpectedStatus = DEFAULT_EXPECTED_STATUS): boolean {
  const rules = Array.isArray(expected) ? expected : [expected];
  return rules.some((rule) => matchesRule(status, rule));
}
