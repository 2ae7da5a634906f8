import { createHash } from 'node:crypto';
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress, LookupAllOptions, LookupOneOptions } from 'node:dns';
import { NonRetryableError } from '@vecron/sdk';
import { Agent, buildConnector } from 'undici';
import { classifyAddress, isHostAllowed, isLocalhostName, normaliseHost } from './address-policy.js';
import { HTTP_ERROR_CODES } from './classify.js';
import type { HostResolver, ResolvedAddress } from './options.js';
import type { HttpTls } from './step-config.js';

/** What the dispatcher set needs from the executor options. */
export interface DispatcherPolicy {
  blockPrivateAddresses: boolean;
  allowHosts: readonly string[];
  resolve: HostResolver | undefined;
  connections: number | undefined;
  keepAliveTimeoutMs: number;
  connectTimeoutMs: number;
}

/** undici agents: one without step TLS settings, one per distinct `tls` block (bounded). */
export interface Dispatchers {
  get(tls: HttpTls | undefined): Agent;
  close(): Promise<void>;
}

const MAX_TLS_AGENTS = 32;

function blocked(host: string, address: string, kind: string): NonRetryableError {
  return new NonRetryableError(
    `refused to connect to ${host}${address === host ? '' : ` (${address})`}: ${kind} addresses are blocked by blockPrivateAddresses`,
    { code: HTTP_ERROR_CODES.addressBlocked, details: { host, address, kind } },
  );
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `net.connect` lookup that resolves, then refuses when any resolved address is not public.
 * Checking what the socket is about to connect to (not an earlier, separate resolution) leaves no
 * window for DNS rebinding.
 */
function makeLookup(policy: DispatcherPolicy) {
  const resolve: HostResolver = policy.resolve ?? (async (h) => (await dnsLookup(h, { all: true, verbatim: true })) as ResolvedAddress[]);
  return (hostname: string, options: LookupOneOptions | LookupAllOptions, callback: LookupCallback): void => {
    resolve(hostname).then(
      (all) => {
        const host = normaliseHost(hostname);
        if (policy.blockPrivateAddresses && !isHostAllowed(host, policy.allowHosts)) {
          for (const a of all) {
            const kind = classifyAddress(a.address) ?? 'unknown';
            if (kind !== 'public') return callback(blocked(host, a.address, kind), '');
          }
        }
        const wanted = options.family === 4 || options.family === 6 ? all.filter((a) => a.family === options.family) : all;
        if (wanted.length === 0) {
          const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
          err.code = 'ENOTFOUND';
          return callback(err, '');
        }
        if ((options as LookupAllOptions).all) return callback(null, wanted);
        const first = wanted[0]!;
        return callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };
}

function makeAgent(policy: DispatcherPolicy, tls: HttpTls | undefined): Agent {
  const guard = policy.blockPrivateAddresses || policy.resolve !== undefined;
  const base = buildConnector({
    timeout: policy.connectTimeoutMs,
    ...(guard ? { lookup: makeLookup(policy) } : {}),
    ...(tls
      ? {
          ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
          ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
          ...(tls.key !== undefined ? { key: tls.key } : {}),
          ...(tls.passphrase !== undefined ? { passphrase: tls.passphrase } : {}),
          ...(tls.servername !== undefined ? { servername: tls.servername } : {}),
          rejectUnauthorized: tls.reject_unauthorized,
        }
      : {}),
  });
  const connect: buildConnector.connector = (opts, callback) => {
    if (policy.blockPrivateAddresses) {
      const host = normaliseHost(opts.hostname);
      if (!isHostAllowed(host, policy.allowHosts)) {
        // An IP literal never reaches `lookup` (net.connect skips it), so check it here.
        const kind = classifyAddress(host);
        if (kind !== undefined && kind !== 'public') return callback(blocked(host, host, kind), null);
        if (isLocalhostName(host)) return callback(blocked(host, host, 'loopback'), null);
      }
    }
    return base(opts, callback);
  };
  return new Agent({
    connect,
    keepAliveTimeout: policy.keepAliveTimeoutMs,
    // The step's AbortSignal bounds every request; undici's own 300 s timers would only cut it short.
    headersTimeout: 0,
    bodyTimeout: 0,
    ...(policy.connections !== undefined ? { connections: policy.connections } : {}),
  });
}

/** Creates the executor's dispatcher set. */
export function createDispatchers(policy: DispatcherPolicy): Dispatchers {
  let plain: Agent | undefined;
  const byTls = new Map<string, Agent>();
  return {
    get(tls) {
      if (!tls) return (plain ??= makeAgent(policy, undefined));
      const key = createHash('sha256').update(JSON.stringify(tls)).digest('hex');
      let agent = byTls.get(key);
      if (agent) {
        // Re-insert to keep the map in least-recently-used order.
        byTls.delete(key);
        byTls.set(key, agent);
        return agent;
      }
      if (byTls.size >= MAX_TLS_AGENTS) {
        const [oldestKey, oldest] = byTls.entries().next().value as [string, Agent];
        byTls.delete(oldestKey);
        // Graceful: in-flight requests on it finish first.
        void oldest.close().catch(() => undefined);
      }
      agent = makeAgent(policy, tls);
      byTls.set(key, agent);
      return agent;
    },
    async close() {
      const all = [...(plain ? [plain] : []), ...byTls.values()];
      plain = undefined;
      byTls.clear();
      await Promise.all(all.map((a) => a.close()));
    },
  };
}
