import { SECRET_MASK } from './mask.js';
import type { ValidationIssue } from '../errors/errors.js';
import { toJsonPath } from '../errors/zod-issues.js';

/**
 * Literal credentials in job definitions: which values are secret, how they are masked for
 * display and export, and how a masked value sent back on update keeps the stored one.
 *
 * A value is a credential when its field name says so (`password`, `DB_PASSWORD`, `token`,
 * `client_secret`, `Authorization`, `X-Api-Key`, `Cookie`, `private_key`, …) or when it contains
 * one: a PEM private key, a password in a URL or connection string (`postgres://u:pw@h`,
 * `Password=pw;`), or a credential-like query parameter (`?api_key=…`, `&token=…`). A value that is
 * only `${VARIABLE}` references carries no secret itself and is left as it is.
 */

/** Words that make a field name a credential (matched anywhere in the name, any case). */
const SECRET_WORD = /(password|passwd|passphrase|secret|token|api[_-]?key|apikey|private[_-]?key|credential|authorization|cookie|^pwd$)/i;
/** Field names with a secret word that name something else (a URL, a path, a header name, a lifetime). */
const NOT_SECRET_SUFFIX = /[_-](url|uri|path|file|endpoint|header|name|type|id|ttl|seconds|ms|type|location)$/i;
/** A value that is only `${NAME}` references. */
const ONLY_REFERENCES = /^(\$\{[A-Za-z_][A-Za-z0-9_]*\}\s*)+$/;
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----[\s\S]*?(-----END \1-----|$)/g;
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/:@?#]*):([^\s/@?#]*)@/gi;
const QUERY_CREDENTIAL = /([?&](?:api[_-]?key|apikey|key|token|access_token|refresh_token|auth|auth_token|sig|signature|secret|client_secret|password|pwd|pass)=)([^&#\s"']*)/gi;
const KV_PASSWORD = /(\b(?:password|pwd|passwd)\s*=\s*)([^;\s"']*)/gi;

/** True when a field with this name holds a credential (e.g. `DB_PASSWORD`, `X-Api-Key`, `token`). */
export function isCredentialFieldName(name: string): boolean {
  return SECRET_WORD.test(name) && !NOT_SECRET_SUFFIX.test(name);
}

const keep = (secret: string): boolean => secret === '' || secret === SECRET_MASK || ONLY_REFERENCES.test(secret);

/**
 * The value of field `key` as it may be shown: the whole value masked when the field is a
 * credential, otherwise every embedded credential (PEM key, URL or connection-string password,
 * credential query parameter) replaced by {@link SECRET_MASK}.
 */
export function maskCredentialValue(key: string | number | null, value: string): string {
  if (typeof key === 'string' && isCredentialFieldName(key)) return keep(value) ? value : SECRET_MASK;
  return value
    .replace(PEM_BLOCK, SECRET_MASK)
    .replace(URL_USERINFO, (all, scheme: string, user: string, pw: string) => (keep(pw) ? all : `${scheme}${user}:${SECRET_MASK}@`))
    .replace(QUERY_CREDENTIAL, (all, name: string, v: string) => (keep(v) ? all : `${name}${SECRET_MASK}`))
    .replace(KV_PASSWORD, (all, name: string, v: string) => (keep(v) ? all : `${name}${SECRET_MASK}`));
}

/** Deeper than this, a walk over user data stops and shows the mask instead of going on. */
const MAX_DEPTH = 64;

/** A deep copy with every literal credential masked ({@link maskCredentialValue}); `${VAR}` references are kept. */
export function maskCredentials<T>(value: T): T {
  const walk = (v: unknown, key: string | number | null, depth: number): unknown => {
    if (typeof v === 'string') return maskCredentialValue(key, v);
    if (v === null || typeof v !== 'object' || v instanceof Date) return v;
    if (depth >= MAX_DEPTH) return SECRET_MASK;
    if (Array.isArray(v)) return v.map((x, i) => walk(x, typeof key === 'string' && isCredentialFieldName(key) ? key : i, depth + 1));
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, walk(x, k, depth + 1)]));
  };
  return walk(value, null, 0) as T;
}

/** Where a definition holds a literal credential: the path (as keys) and what kind it is. */
export interface CredentialFinding {
  path: Array<string | number>;
  kind: 'field' | 'embedded';
}

/** Every place in `value` that {@link maskCredentials} would change. */
export function findCredentials(value: unknown): CredentialFinding[] {
  const out: CredentialFinding[] = [];
  const walk = (v: unknown, key: string | number | null, path: Array<string | number>, depth: number): void => {
    if (typeof v === 'string') {
      if (maskCredentialValue(key, v) !== v) out.push({ path, kind: typeof key === 'string' && isCredentialFieldName(key) ? 'field' : 'embedded' });
      return;
    }
    if (v === null || typeof v !== 'object' || depth >= MAX_DEPTH) return;
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, typeof key === 'string' && isCredentialFieldName(key) ? key : i, [...path, i], depth + 1));
    else for (const [k, x] of Object.entries(v as Record<string, unknown>)) walk(x, k, [...path, k], depth + 1);
  };
  walk(value, null, [], 0);
  return out;
}

/**
 * For a value sent back on update or import: when it contains the mask, the stored value at the
 * same place if masking that gives exactly what was sent (so `postgres://u:••••••@h` keeps the
 * stored password, and a whole `••••••` keeps the stored secret); `undefined` when there is
 * nothing to restore it from.
 */
export function restoreMaskedValue(key: string | number | null, sent: string, stored: unknown): string | undefined {
  if (!sent.includes(SECRET_MASK)) return sent;
  if (typeof stored !== 'string' || stored.includes(SECRET_MASK)) return undefined;
  if (sent === SECRET_MASK) return stored;
  return maskCredentialValue(key, stored) === sent ? stored : undefined;
}

/**
 * A definition sent back on update, clone or import with every masked value replaced by the value
 * at the same path of the stored definition ({@link restoreMaskedValue}). A masked value with
 * nothing to restore is an issue: the caller must send the value or a `${VARIABLE}` reference.
 */
export function restoreMaskedSecrets(input: unknown, existing: unknown): { value: unknown; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  const walk = (v: unknown, old: unknown, key: string | number | null, path: PropertyKey[]): unknown => {
    if (typeof v === 'string' && v.includes(SECRET_MASK)) {
      const kept = restoreMaskedValue(key, v, old);
      if (kept !== undefined) return kept;
      issues.push({ path: toJsonPath(path), message: 'is a masked secret with no stored value to keep; send the value or a ${VARIABLE} reference' });
      return v;
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, Array.isArray(old) ? old[i] : undefined, i, [...path, i]));
    if (v && typeof v === 'object') {
      const o = old && typeof old === 'object' ? (old as Record<string, unknown>) : {};
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, walk(x, o[k], k, [...path, k])]));
    }
    return v;
  };
  return { value: walk(input, existing, null, []), issues };
}
