import { createSecretBox } from '@vecron/sdk/crypto';
import type { SecretBoxKeys } from '@vecron/sdk/crypto';
import type { ServerConfig } from '../config/config-schema.js';

/**
 * What every process publishes about itself and what must agree across the cluster: a
 * disagreement is either refused at start (it would lose work) or reported (it is a rolling
 * change, or a risk an operator must see).
 */
export interface Fingerprint {
  /** @vecron/server version. */
  version: string;
  /** Highest applied migration of each schema owner, e.g. `vecron:4 vecron-server:2`. */
  schema_version: string;
  /** Work queue names; null for the in-process queue (one process). */
  queue: { stream: string; subject: string; consumer: string; events_subject: string } | null;
  /**
   * Ids of the encryption keys this process can decrypt with, `security.encryption_key` first. It
   * encrypts with the first of them every live process lists (see cluster/agreed-key.ts).
   */
  encryption_key_ids: string[];
  /** JWT key ids this process verifies with; the first one signs. Empty for processes without the API. */
  jwt_kids: string[];
  /** Default zone of cron jobs saved through this process. */
  timezone: string;
}

/** One disagreement between this process and a live one. */
export interface Drift {
  /** Configuration key (or fingerprint field) that differs. */
  key: string;
  /** `refuse`: this process must not start; `warn`: reported in logs and `GET /api/cluster`. */
  severity: 'refuse' | 'warn';
  /** The other process. */
  process: string;
  role: string;
  mine: unknown;
  theirs: unknown;
  message: string;
}

/** A live process as the registry lists it. */
export interface ProcessInfo {
  id: string;
  role: string;
  fingerprint: Fingerprint;
}

/** Builds this process's fingerprint from its configuration and keys. */
export function fingerprintOf(config: ServerConfig, args: { version: string; schemaVersion: string; encryptionKeys: SecretBoxKeys; jwtKids: string[] }): Fingerprint {
  const keyIds = [args.encryptionKeys.current, ...(args.encryptionKeys.previous ?? [])].map((k) => createSecretBox(k).keyId);
  return {
    version: args.version,
    schema_version: args.schemaVersion,
    queue: config.queue.nats_servers
      ? { stream: config.queue.stream, subject: config.queue.subject, consumer: config.queue.consumer, events_subject: config.queue.events_subject }
      : null,
    encryption_key_ids: [...new Set(keyIds)],
    jwt_kids: args.jwtKids,
    timezone: config.scheduler.timezone,
  };
}

const runsApi = (role: string): boolean => role === 'api' || role === 'all';

/**
 * What differs between `mine` (this process, `role`) and each of `others`:
 * - queue names (refuse): a scheduler publishing into a stream no worker reads delays every execution;
 * - encryption keys (warn): a process configured to encrypt with a key another live process does
 *   not know (it keeps encrypting with an older key all know until then);
 * - JWT keys between API processes (warn): a token signed by one is refused by the other;
 * - version, schema version, default time zone (warn).
 */
export function compareFingerprints(mine: Fingerprint, role: string, others: ProcessInfo[]): Drift[] {
  const out: Drift[] = [];
  for (const o of others) {
    const t = o.fingerprint;
    const add = (key: string, severity: Drift['severity'], a: unknown, b: unknown, message: string): void => {
      out.push({ key, severity, process: o.id, role: o.role, mine: a, theirs: b, message });
    };
    if (mine.queue && t.queue) {
      for (const k of ['stream', 'subject', 'consumer', 'events_subject'] as const) {
        if (mine.queue[k] !== t.queue[k]) add(`queue.${k}`, 'refuse', mine.queue[k], t.queue[k], `queue.${k} is "${mine.queue[k]}" here but "${t.queue[k]}" on ${o.role} process ${o.id}: work published by one would never reach the other's workers`);
      }
    }
    const [myCurrent] = mine.encryption_key_ids;
    const [theirCurrent] = t.encryption_key_ids;
    if (myCurrent && !t.encryption_key_ids.includes(myCurrent)) {
      add('security.encryption_key', 'warn', myCurrent, t.encryption_key_ids, `this process's encryption_key ${myCurrent} is unknown to ${o.role} process ${o.id}: it encrypts with an older key every live process knows until that process has it (add it to its previous_encryption_keys)`);
    }
    if (theirCurrent && !mine.encryption_key_ids.includes(theirCurrent)) {
      add('security.previous_encryption_keys', 'warn', mine.encryption_key_ids, theirCurrent, `${o.role} process ${o.id} has encryption_key ${theirCurrent}, which this process cannot decrypt (that process keeps encrypting with an older key until this one has it)`);
    }
    if (runsApi(role) && runsApi(o.role)) {
      const [mySigner] = mine.jwt_kids;
      const [theirSigner] = t.jwt_kids;
      if (mySigner && !t.jwt_kids.includes(mySigner)) add('auth.keys', 'warn', mySigner, t.jwt_kids, `tokens signed here (kid ${mySigner}) are refused by api process ${o.id}: give it the key (verify-only is enough) first`);
      if (theirSigner && !mine.jwt_kids.includes(theirSigner)) add('auth.keys', 'warn', mine.jwt_kids, theirSigner, `tokens signed by api process ${o.id} (kid ${theirSigner}) are refused here`);
    }
    if (mine.version !== t.version) add('version', 'warn', mine.version, t.version, `version ${mine.version} here, ${t.version} on ${o.role} process ${o.id} (fine during a rolling upgrade)`);
    if (mine.schema_version !== t.schema_version) add('schema_version', 'warn', mine.schema_version, t.schema_version, `schema ${mine.schema_version} here, ${t.schema_version} on ${o.role} process ${o.id}`);
    if (mine.timezone !== t.timezone) add('scheduler.timezone', 'warn', mine.timezone, t.timezone, `default time zone ${mine.timezone} here, ${t.timezone} on ${o.role} process ${o.id}: new zone-less cron jobs get the zone of the process that saves them`);
  }
  return out;
}

/** Every disagreement between two live processes, each pair once (the first of the pair is `mine`). */
export function clusterDrift(processes: ProcessInfo[]): Array<Drift & { from: string }> {
  return processes.flatMap((p, i) => compareFingerprints(p.fingerprint, p.role, processes.slice(i + 1)).map((d) => ({ ...d, from: p.id })));
}

/** The highest applied migration of each owner, as `owner:id` pairs in owner order (`vecron:4 vecron-server:2`). */
export function schemaVersionOf(applied: ReadonlyArray<{ owner: string; id: number }>): string {
  const top = new Map<string, number>();
  for (const m of applied) top.set(m.owner, Math.max(top.get(m.owner) ?? 0, m.id));
  return [...top].sort(([a], [b]) => a.localeCompare(b)).map(([owner, id]) => `${owner}:${id}`).join(' ');
}
