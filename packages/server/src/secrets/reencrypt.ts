import { CryptoError } from '@vecron/sdk';
import type { SecretBox } from '@vecron/sdk/crypto';
import type { SqlClient, Storage } from '@vecron/sdk';

/** What `vecron secrets reencrypt` found and did. */
export interface ReencryptReport {
  dryRun: boolean;
  /** The key everything is re-encrypted with. */
  currentKeyId: string;
  /** Stored ciphertexts per key id, before the run. */
  byKeyId: Record<string, { variables: number; webhook_secrets: number }>;
  /** Ciphertexts re-encrypted with the current key (what would be, in a dry run). */
  reencrypted: { variables: number; webhook_secrets: number };
  /** Ciphertexts that could not be decrypted (unknown key, tampered), left as they are. */
  failed: Array<{ what: string; keyId: string; error: string }>;
  /** Rows changed by someone else during the run, left for the next run. */
  skippedConcurrentChanges: number;
}

interface StoredSecret { id: string; ciphertext: string; created_at: string; expires_at: string | null }

/** The key id a ciphertext names (`v1:<key id>:…`). */
const keyIdOf = (ciphertext: string): string => ciphertext.split(':')[1] ?? '?';

/**
 * Re-encrypts every stored secret — sensitive variables and webhook secrets — that is not under
 * the box's current key, with the same associated data the stores use. Each row is updated only
 * if it did not change meanwhile; a ciphertext that cannot be decrypted is reported, never
 * dropped. With `dryRun`, only counts.
 */
export async function reencryptSecrets(
  { storage, sql }: { storage: Pick<Storage, 'listVariables' | 'replaceVariableValue'>; sql: SqlClient },
  box: SecretBox,
  { dryRun }: { dryRun: boolean },
): Promise<ReencryptReport> {
  const report: ReencryptReport = { dryRun, currentKeyId: box.keyId, byKeyId: {}, reencrypted: { variables: 0, webhook_secrets: 0 }, failed: [], skippedConcurrentChanges: 0 };
  const count = (keyId: string, kind: 'variables' | 'webhook_secrets'): void => {
    report.byKeyId[keyId] ??= { variables: 0, webhook_secrets: 0 };
    report.byKeyId[keyId][kind] += 1;
  };
  const again = (what: string, ciphertext: string, aad: string): string | null => {
    try {
      return box.reencrypt(ciphertext, aad);
    } catch (err) {
      if (!(err instanceof CryptoError)) throw err;
      report.failed.push({ what, keyId: keyIdOf(ciphertext), error: err.message });
      return null;
    }
  };

  const vars = (await storage.listVariables()).filter((v) => v.sensitive);
  for (const v of vars) {
    const keyId = keyIdOf(v.value);
    count(keyId, 'variables');
    if (keyId === box.keyId) continue;
    const what = `variable ${v.scope ? `${v.scope}/` : ''}${v.name}`;
    const next = again(what, v.value, `variable:${v.scope}:${v.name}`);
    if (next === null) continue;
    report.reencrypted.variables += 1;
    if (dryRun) continue;
    if (!(await storage.replaceVariableValue(v.scope, v.name, { from: v.value, to: next }))) report.skippedConcurrentChanges += 1;
  }

  const { rows: hooks } = await sql.query<{ id: string; secrets: StoredSecret[] | string }>('SELECT id, secrets FROM vecron_webhooks ORDER BY id');
  for (const h of hooks) {
    const secrets = (typeof h.secrets === 'string' ? JSON.parse(h.secrets) : h.secrets) as StoredSecret[];
    let changed = false;
    const updated = secrets.map((s) => {
      const keyId = keyIdOf(s.ciphertext);
      count(keyId, 'webhook_secrets');
      if (keyId === box.keyId) return s;
      const next = again(`webhook ${h.id} secret ${s.id}`, s.ciphertext, `webhook:${h.id}:${s.id}`);
      if (next === null) return s;
      report.reencrypted.webhook_secrets += 1;
      changed = true;
      return { ...s, ciphertext: next };
    });
    if (!changed || dryRun) continue;
    const { rowCount } = await sql.query('UPDATE vecron_webhooks SET secrets = $2::jsonb WHERE id = $1 AND secrets = $3::jsonb', [h.id, JSON.stringify(updated), JSON.stringify(secrets)]);
    if (!rowCount) report.skippedConcurrentChanges += 1;
  }
  return report;
}
