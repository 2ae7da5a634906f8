import type { CronSystem, SqlClient, Storage } from '@vecron/sdk';
import type { SecretBoxKeys } from '@vecron/sdk/crypto';
import type { Logger } from 'pino';
import type { AgreedSecretBox } from '../cluster/agreed-key.js';
import { fingerprintOf, schemaVersionOf } from '../cluster/fingerprint.js';
import { createProcessRegistry } from '../cluster/registry.js';
import type { ProcessRegistry } from '../cluster/registry.js';
import { serverVersion } from '../cluster/version.js';
import type { ServerConfig } from '../config/config-schema.js';
import type { JwtKey } from './keys.js';
import type { Role } from './start-server.js';

/**
 * Registers this process in the cluster registry and starts its heartbeat. Each heartbeat agrees
 * the encryption key every live process can decrypt; a worker process drains when asked to.
 * Refuses to start on a disagreement that would lose work (queue names), before any role runs.
 */
export async function joinCluster(d: {
  config: ServerConfig; role: Role; processId: string; sql: SqlClient; storage: Storage; cron: CronSystem; logger: Logger;
  box: AgreedSecretBox; encryptionKeys: SecretBoxKeys; jwtKeys: JwtKey[];
}): Promise<ProcessRegistry> {
  const { config, role, box, logger } = d;
  const schemaVersion = schemaVersionOf(await d.storage.listMigrations());
  const cluster = createProcessRegistry({
    sql: d.sql, storage: d.storage, id: d.processId, role, logger: logger.child({ component: 'cluster' }),
    // Drain: the worker stops taking work and finishes (or, after the grace period, hands back) what it holds.
    ...(role === 'all' || role === 'worker' ? { onDrain: () => d.cron.drain({ graceMs: config.worker.shutdown_grace_ms }) } : {}),
    onLive: (processes) => {
      const before = box.keyId;
      const now = box.agree(processes.map((p) => p.fingerprint.encryption_key_ids));
      if (now === before) return;
      if (now === box.preferredKeyId) logger.info({ keyId: now }, 'encrypting with security.encryption_key: every live process can decrypt it');
      else logger.warn({ keyId: now, preferred: box.preferredKeyId, unaware: processes.filter((p) => !p.fingerprint.encryption_key_ids.includes(box.preferredKeyId)).map((p) => p.id) }, 'encrypting with an older key until every live process has security.encryption_key');
    },
    fingerprint: fingerprintOf(config, { version: serverVersion(), schemaVersion, encryptionKeys: d.encryptionKeys, jwtKids: signerFirst(d.jwtKeys) }),
  });
  await cluster.start();
  return cluster;
}

/** Key ids with the signing one (the first private key) first, as the fingerprint wants them. */
function signerFirst(keys: JwtKey[]): string[] {
  const signer = keys.find((k) => 'private_key_pem' in k);
  return signer ? [signer.kid, ...keys.filter((k) => k !== signer).map((k) => k.kid)] : keys.map((k) => k.kid);
}
