import { SECRET_MASK } from './mask.js';

/**
 * Scrubbing of sensitive values from text that is stored or shown (outputs, errors, events,
 * alerts). A value leaks not only as itself: a step may JSON-encode it, URL-encode it, or
 * base64-encode it (an `Authorization: Basic` header built from `user:password`). Each form is
 * replaced by {@link SECRET_MASK}.
 */

/** Values shorter than this are not scrubbed (masking every "abc" would destroy the text). */
export const MIN_SCRUB_LENGTH = 4;
/** Base64 fragments shorter than this are not scrubbed (too likely to occur by chance). */
const MIN_BASE64_CORE = 6;

/**
 * The base64 text that encodes `secret` wherever it sits in a longer byte string: for each of the
 * three alignments, the characters that depend only on the secret's bytes (standard and URL-safe).
 */
function base64Cores(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const out: string[] = [];
  for (let k = 0; k < 3; k++) {
    const enc = Buffer.concat([Buffer.alloc(k), bytes]).toString('base64');
    const core = enc.slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + bytes.length)) / 6));
    if (core.length >= MIN_BASE64_CORE) out.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return out;
}

/** Every form of `secret` that is scrubbed: as is, JSON-escaped, URL-encoded (both flavours), base64 at any alignment. */
export function secretForms(secret: string): string[] {
  if (secret.length < MIN_SCRUB_LENGTH) return [];
  const forms = new Set<string>([
    secret,
    JSON.stringify(secret).slice(1, -1),
    encodeURIComponent(secret),
    encodeURIComponent(secret).replace(/%20/g, '+'),
    ...base64Cores(secret),
  ]);
  // Longest first, so a form that contains another is replaced whole.
  return [...forms].filter((f) => f.length >= MIN_SCRUB_LENGTH).sort((a, b) => b.length - a.length);
}

/** A function that replaces every form of every secret in a string with {@link SECRET_MASK}. */
export function createSecretScrubber(secrets: readonly string[]): (text: string) => string {
  const forms = [...new Set(secrets.flatMap(secretForms))].sort((a, b) => b.length - a.length);
  if (!forms.length) return (t) => t;
  return (text) => {
    let out = text;
    for (const f of forms) if (out.includes(f)) out = out.split(f).join(SECRET_MASK);
    return out;
  };
}

/** Deeper than this, {@link scrubDeep} replaces the rest by the mask instead of walking on. */
const MAX_DEPTH = 64;

/**
 * A copy of `value` with every string (and object key) scrubbed. Plain objects and arrays are
 * copied; other objects (a `Date`, a `Buffer`) are kept as they are, so an execution's timestamps
 * stay timestamps. Bounded: below 64 levels the value is replaced by the mask.
 */
export function scrubDeep<T>(value: T, scrub: (text: string) => string): T {
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return scrub(v);
    if (v === null || typeof v !== 'object') return v;
    if (depth >= MAX_DEPTH) return SECRET_MASK;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) return v;
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [scrub(k), walk(x, depth + 1)]));
  };
  return walk(value, 0) as T;
}
