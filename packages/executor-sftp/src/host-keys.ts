import { NonRetryableError } from '@vecron/sdk';
import type { Fingerprint } from './fingerprint.js';
import { parseFingerprint } from './fingerprint.js';

/** Pinned fingerprints by normalised `host:port`. */
export type KnownHosts = ReadonlyMap<string, readonly Fingerprint[]>;

/** `host:port` with the host lower-cased and IPv6 brackets dropped. */
export function hostKey(host: string, port: number): string {
  return `${host.replace(/^\[(.*)\]$/, '$1').toLowerCase()}:${port}`;
}

/** Normalises the executor's `knownHosts` option: keys `host:port`, `[host]:port` or `host` (port 22). */
export function normalizeKnownHosts(input: Record<string, string | string[]>): KnownHosts {
  const map = new Map<string, Fingerprint[]>();
  for (const [key, value] of Object.entries(input)) {
    const bracketed = /^\[(.+)\]:(\d+)$/.exec(key);
    const plain = /^([^:]+):(\d+)$/.exec(key);
    const m = bracketed ?? plain;
    const k = m ? hostKey(m[1]!, Number(m[2])) : hostKey(key, 22);
    map.set(k, toFingerprints(value));
  }
  return map;
}

/** Parses one or several already-validated fingerprints. */
export function toFingerprints(value: string | readonly string[]): Fingerprint[] {
  return (typeof value === 'string' ? [value] : value).map((v) => parseFingerprint(v)!);
}

/**
 * The fingerprints a step must match: the step's `host_key_fingerprint`, else the executor's
 * `knownHosts` entry; `null` when the step turned verification off.
 *
 * @throws NonRetryableError `HOST_KEY_NOT_PINNED` when verification is on and nothing is pinned.
 */
export function pinsFor(
  host: string,
  port: number,
  options: { verify_host_key: boolean; host_key_fingerprint?: string | string[] | undefined },
  knownHosts: KnownHosts,
): Fingerprint[] | null {
  if (!options.verify_host_key) return null;
  if (options.host_key_fingerprint !== undefined) return toFingerprints(options.host_key_fingerprint);
  const known = knownHosts.get(hostKey(host, port));
  if (known) return [...known];
  const portFlag = port === 22 ? '' : `-p ${port} `;
  throw new NonRetryableError(
    `host key verification is on but no fingerprint is pinned for ${host}:${port}; refusing to connect. ` +
      `Get the fingerprint with \`ssh-keyscan ${portFlag}${host} | ssh-keygen -lf -\` (confirm it with the server's operator), ` +
      `then set options.host_key_fingerprint: "SHA256:…" in the step, or knownHosts: { "${host}:${port}": "SHA256:…" } in sftpExecutor(). ` +
      'options.verify_host_key: false turns the check off (not recommended: a man in the middle would receive the credentials).',
    { code: 'HOST_KEY_NOT_PINNED', details: { host, port } },
  );
}
