/**
 * Parses an HTTP `Retry-After` value (RFC 9110 §10.2.3): either delay-seconds (`120`) or an
 * HTTP-date (`Wed, 21 Oct 2015 07:28:00 GMT`). Returns the wait in milliseconds (never negative),
 * or `undefined` when the header is absent or malformed.
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return undefined;
  const v = raw.trim();
  if (v === '') return undefined;
  if (/^\d+$/.test(v)) {
    const seconds = Number(v);
    return Number.isSafeInteger(seconds) ? seconds * 1000 : undefined;
  }
  // An HTTP-date always names a weekday and ends in GMT; anything else (e.g. "1.5", "-3") is malformed.
  if (!/^[A-Za-z]{3},? /.test(v) && !/GMT$/i.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
