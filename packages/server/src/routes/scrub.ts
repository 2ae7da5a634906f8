import { SECRET_MASK } from '@vecron/sdk';
import type { ApiDeps } from '../http/deps.js';

/**
 * Replaces every decrypted sensitive variable value (global and the job's) found anywhere in
 * `value` — step outputs, errors — with the mask, so a step that echoes a secret does not leak it
 * through the API. The associated data matches the SDK's variables service (`variable:{scope}:{name}`).
 */
export async function scrubSecrets<T>(d: Pick<ApiDeps, 'cron' | 'box'>, jobId: string, value: T): Promise<T> {
  const storage = await d.cron.internals.storage();
  const rows = [...(await storage.listVariables('')), ...(await storage.listVariables(jobId))].filter((v) => v.sensitive);
  const secrets: string[] = [];
  for (const v of rows) {
    try {
      const clear = d.box.decrypt(v.value, `variable:${v.scope}:${v.name}`);
      if (clear.length >= 4) secrets.push(clear);
    } catch {
      // A value we cannot decrypt cannot be leaked by us either.
    }
  }
  if (!secrets.length) return value;
  secrets.sort((a, b) => b.length - a.length);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return secrets.reduce((s, secret) => s.split(secret).join(SECRET_MASK), v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
