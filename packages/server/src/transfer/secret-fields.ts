import { SECRET_MASK, maskCredentials, restoreMaskedValue } from '@vecron/sdk/crypto';
import type { ValidationIssue } from '@vecron/sdk';
import { toJsonPath } from '@vecron/sdk';

/**
 * A deep copy with every literal credential masked — credential fields (`password`,
 * `Authorization`, `X-Api-Key`, `DB_PASSWORD`, …) and credentials inside values (PEM keys, URL and
 * connection-string passwords, `?api_key=`): see `maskCredentials` in `@vecron/sdk`.
 */
export function maskSecrets<T>(value: T): T {
  return maskCredentials(value);
}

/**
 * Replaces masked values in an imported or edited definition with the value at the same path of
 * the stored job, when masking the stored value gives exactly what was sent. A masked value with
 * nothing to restore is an issue: the caller must send the value or a `${VARIABLE}` reference.
 */
export function restoreSecrets(input: unknown, existing: unknown): { value: unknown; issues: ValidationIssue[] } {
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
