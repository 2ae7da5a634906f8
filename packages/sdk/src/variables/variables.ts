import { ConfigError, CryptoError } from '../errors/errors.js';
import type { SecretBox } from '../crypto/index.js';
import { maskSecret } from '../crypto/index.js';
import type { Clock } from '../internal/clock.js';
import { variableNameSchema } from '../model/job-definition.js';
import type { Storage } from '../storage/port.js';
import { ValidationError } from '../errors/errors.js';

/** A variable as the API shows it: sensitive values are always masked. */
export interface VariableView {
  name: string;
  /** `null` for global, else the job id. */
  jobId: string | null;
  value: string;
  sensitive: boolean;
  updatedAt: Date;
}

/** Global and job-scoped variables; sensitive ones stored as AES-256-GCM ciphertext. */
export interface Variables {
  set(v: { name: string; value: string; sensitive?: boolean; jobId?: string | null }): Promise<void>;
  list(jobId?: string | null): Promise<VariableView[]>;
  delete(name: string, jobId?: string | null): Promise<boolean>;
}

/** Internal: what the worker needs to resolve `${NAME}`. */
export interface VariableResolver {
  /**
   * Global, then the job definition's `variables`, then job-scoped stored ones (job wins); decrypted.
   * A sensitive value that no longer decrypts (key rotated away, tampered row) is left out, so it
   * cannot break jobs that do not use it; when `needed` names it, a `CryptoError` says which.
   */
  resolve(jobId: string, definitionVariables: Record<string, string>, needed?: ReadonlySet<string>): Promise<ResolvedVariables>;
}

/** Variables as a step sees them, and the sensitive values among them (to scrub from errors). */
export interface ResolvedVariables {
  values: Record<string, string>;
  secrets: string[];
}

/**
 * Why a variable change needs the `variable:encrypt` permission, or null when it does not:
 * creating or replacing a sensitive variable, turning a sensitive one into a plain one, or
 * deleting a sensitive one (docs/architecture.md#variables). The REST API and the dashboard ask
 * the same question here.
 *
 * @param existing the variable as stored now in that scope, if any
 * @param change `{ sensitive }` for a set, `'delete'` for a delete
 */
export function encryptPermissionReason(existing: { sensitive: boolean } | undefined, change: { sensitive: boolean } | 'delete'): 'sensitive' | 'downgrade' | 'delete_sensitive' | null {
  if (change === 'delete') return existing?.sensitive ? 'delete_sensitive' : null;
  if (change.sensitive) return 'sensitive';
  return existing?.sensitive ? 'downgrade' : null;
}

const scopeOf = (jobId: string | null | undefined): string => jobId ?? '';
const aad = (scope: string, name: string): string => `variable:${scope}:${name}`;

/** Takes one variable into `out` (a later scope wins), or, if it did not decrypt, into `broken`. */
function take(out: Record<string, string>, broken: Map<string, unknown>, name: string, value: string, error: unknown): void {
  if (error === undefined) {
    out[name] = value;
    broken.delete(name);
  } else {
    delete out[name];
    broken.set(name, error);
  }
}

/** Creates the variables service over storage. */
export function createVariables(storage: Storage, box: SecretBox | null, clock: Clock): Variables & VariableResolver {
  type Plain = { scope: string; name: string; value: string; sensitive: boolean; error?: unknown };
  /** One query for every scope asked, decrypted; a value that does not decrypt carries its error. */
  const decryptScopes = async (scopes: string[]): Promise<Plain[]> =>
    (await storage.listVariables(scopes)).map((v) => {
      if (!v.sensitive) return { scope: v.scope, name: v.name, sensitive: false, value: v.value };
      try {
        return { scope: v.scope, name: v.name, sensitive: true, value: requireBox().decrypt(v.value, aad(v.scope, v.name)) };
      } catch (error) {
        return { scope: v.scope, name: v.name, sensitive: true, value: '', error };
      }
    });
  const requireBox = (): SecretBox => {
    if (!box) throw new ConfigError('cron system options', [{ path: '$.encryptionKey', message: 'is required to store or read sensitive variables' }]);
    return box;
  };
  return {
    async set({ name, value, sensitive = false, jobId }) {
      const n = variableNameSchema.safeParse(name);
      if (!n.success) throw new ValidationError('variable', [{ path: '$.name', message: n.error.issues[0]?.message ?? 'invalid' }]);
      if (typeof value !== 'string') throw new ValidationError('variable', [{ path: '$.value', message: 'must be a string' }]);
      const scope = scopeOf(jobId);
      await storage.setVariable({
        scope, name, sensitive,
        value: sensitive ? requireBox().encrypt(value, aad(scope, name)) : value,
        updatedAt: clock.now(),
      });
    },
    async list(jobId) {
      return (await storage.listVariables(jobId === undefined ? undefined : scopeOf(jobId))).map((v) => ({
        name: v.name,
        jobId: v.scope === '' ? null : v.scope,
        value: v.sensitive ? maskSecret(v.value) : v.value,
        sensitive: v.sensitive,
        updatedAt: v.updatedAt,
      }));
    },
    delete: (name, jobId) => storage.deleteVariable(scopeOf(jobId), name),
    async resolve(jobId, definitionVariables, needed) {
      const all = await decryptScopes(['', jobId]);
      const out: Record<string, string> = {};
      const broken = new Map<string, unknown>();
      for (const v of all) if (v.scope === '') take(out, broken, v.name, v.value, v.error);
      for (const [name, value] of Object.entries(definitionVariables)) take(out, broken, name, value, undefined);
      for (const v of all) if (v.scope === jobId) take(out, broken, v.name, v.value, v.error);
      for (const [name, error] of broken) {
        if (needed?.has(name)) {
          if (error instanceof CryptoError || error instanceof ConfigError) throw new CryptoError(`sensitive variable \${${name}} cannot be decrypted: ${(error as Error).message}`, { cause: error, details: { variable: name } });
          throw error;
        }
      }
      const secrets = all.filter((v) => v.sensitive && v.error === undefined && v.value.length > 0).map((v) => v.value);
      return { values: out, secrets };
    },
  };
}
