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
  resolve(jobId: string, definitionVariables: Record<string, string>, needed?: ReadonlySet<string>): Promise<Record<string, string>>;
  /** Every decrypted sensitive value, so logs and errors can be scrubbed. */
  sensitiveValues(jobId: string): Promise<string[]>;
}

const scopeOf = (jobId: string | null | undefined): string => jobId ?? '';
const aad = (scope: string, name: string): string => `variable:${scope}:${name}`;

/** Creates the variables service over storage. */
export function createVariables(storage: Storage, box: SecretBox | null, clock: Clock): Variables & VariableResolver {
  const decryptAll = async (scope: string): Promise<Array<{ name: string; value: string; sensitive: boolean; error?: unknown }>> =>
    (await storage.listVariables(scope)).map((v) => {
      if (!v.sensitive) return { name: v.name, sensitive: false, value: v.value };
      try {
        return { name: v.name, sensitive: true, value: requireBox().decrypt(v.value, aad(scope, v.name)) };
      } catch (error) {
        return { name: v.name, sensitive: true, value: '', error };
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
      const out: Record<string, string> = {};
      const broken = new Map<string, unknown>();
      const take = (v: { name: string; value: string; error?: unknown }): void => {
        if (v.error === undefined) {
          out[v.name] = v.value;
          broken.delete(v.name);
        } else {
          delete out[v.name];
          broken.set(v.name, v.error);
        }
      };
      for (const v of await decryptAll('')) take(v);
      for (const [name, value] of Object.entries(definitionVariables)) take({ name, value });
      for (const v of await decryptAll(jobId)) take(v);
      for (const [name, error] of broken) {
        if (needed?.has(name)) {
          if (error instanceof CryptoError || error instanceof ConfigError) throw new CryptoError(`sensitive variable \${${name}} cannot be decrypted: ${(error as Error).message}`, { cause: error, details: { variable: name } });
          throw error;
        }
      }
      return out;
    },
    async sensitiveValues(jobId) {
      const all = [...(await decryptAll('')), ...(await decryptAll(jobId))];
      return all.filter((v) => v.sensitive && v.value.length > 0).map((v) => v.value);
    },
  };
}
