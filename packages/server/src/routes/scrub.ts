import { createSecretScrubber, scrubDeep } from '@vecron/sdk/crypto';
import type { ApiDeps } from '../http/deps.js';

/**
 * Replaces every decrypted sensitive variable value (global and the job's) found anywhere in
 * `value` — step outputs, errors, alerts — with the mask, in each form it may take: as is,
 * JSON-escaped, URL-encoded and base64-encoded (e.g. inside an `Authorization: Basic` header).
 * Dates and other non-plain objects are kept as they are; the walk is depth-bounded. The
 * associated data matches the SDK's variables service (`variable:{scope}:{name}`).
 */
export async function scrubSecrets<T>(d: Pick<ApiDeps, 'storage' | 'box'>, jobId: string, value: T): Promise<T> {
  const rows = (await d.storage.listVariables(['', jobId])).filter((v) => v.sensitive);
  const secrets: string[] = [];
  for (const v of rows) {
    try {
      secrets.push(d.box.decrypt(v.value, `variable:${v.scope}:${v.name}`));
    } catch {
      // A value we cannot decrypt cannot be leaked by us either.
    }
  }
  if (!secrets.length) return value;
  return scrubDeep(value, createSecretScrubber(secrets));
}
