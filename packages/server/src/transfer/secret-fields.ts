import { SECRET_MASK } from '@vecron/sdk';
import type { ValidationIssue } from '@vecron/sdk';
import { toJsonPath } from '@vecron/sdk';

/** Field names that hold credentials in job definitions (step configs, webhook trigger). */
const SECRET_KEY = /^(password|passphrase|secret|secret_key|client_secret|token|private_key|api_key|access_token|refresh_token)$/i;
/** A value that is only variable references (`${NAME}`) carries no secret itself. */
const ONLY_REFERENCES = /^(\$\{[A-Za-z_][A-Za-z0-9_]*\}\s*)+$/;

const isSecretValue = (key: string, value: unknown): boolean => SECRET_KEY.test(key) && typeof value === 'string' && !ONLY_REFERENCES.test(value);

/** A deep copy with every literal secret replaced by the mask; `${VAR}` references are kept. */
export function maskSecrets<T>(value: T): T {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, isSecretValue(k, x) ? SECRET_MASK : walk(x)]));
    }
    return v;
  };
  return walk(value) as T;
}

/**
 * Replaces mask placeholders in an imported or edited definition with the value at the same
 * path of the stored job. A placeholder with nothing to restore is an issue: the caller must send
 * the value or a `${VARIABLE}` reference.
 */
export function restoreSecrets(input: unknown, existing: unknown): { value: unknown; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  const walk = (v: unknown, old: unknown, path: PropertyKey[]): unknown => {
    if (v === SECRET_MASK) {
      if (typeof old === 'string' && old !== SECRET_MASK) return old;
      issues.push({ path: toJsonPath(path), message: 'is a masked secret with no stored value to keep; send the value or a ${VARIABLE} reference' });
      return v;
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, Array.isArray(old) ? old[i] : undefined, [...path, i]));
    if (v && typeof v === 'object') {
      const o = old && typeof old === 'object' ? (old as Record<string, unknown>) : {};
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, walk(x, o[k], [...path, k])]));
    }
    return v;
  };
  return { value: walk(input, existing, []), issues };
}
