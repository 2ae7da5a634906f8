/**
 * Pieces every cron dialect's compiler shares: the year bounds, lookup tables and the syntax error
 * a compiler throws (parseCron turns it into a ScheduleError naming the expression).
 */

/** First year a cron expression can fire in (Quartz's year field starts at 1970). */
export const CRON_MIN_YEAR = 1970;
/** Last year a cron expression can fire in; the search for a next fire stops after it. */
export const CRON_MAX_YEAR = 2199;

/** A syntax error inside one field; parseCron adds the expression to the message. */
export class CronSyntaxError extends Error {}

export function fail(message: string): never {
  throw new CronSyntaxError(message);
}

/** Lookup table: next[v] = smallest allowed value ≥ v, or -1. */
export function nextTable(allowed: readonly boolean[], size: number): Int16Array {
  const next = new Int16Array(size + 1).fill(-1);
  let n = -1;
  for (let v = size - 1; v >= 0; v--) {
    if (allowed[v]) n = v;
    next[v] = n;
  }
  return next;
}

/** `years[y - CRON_MIN_YEAR]` = smallest allowed year ≥ y, or -1; every year when `allowed` is null. */
export function yearTable(allowed: readonly boolean[] | null): Int16Array {
  const size = CRON_MAX_YEAR - CRON_MIN_YEAR + 1;
  const next = new Int16Array(size + 1).fill(-1);
  let n = -1;
  for (let i = size - 1; i >= 0; i--) {
    if (allowed === null || allowed[i + CRON_MIN_YEAR]) n = i + CRON_MIN_YEAR;
    next[i] = n;
  }
  return next;
}
