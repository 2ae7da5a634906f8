import { lookup } from 'node:dns/promises';
import { NonRetryableError, TransientError } from '../errors/errors.js';
import { classifyAddress, isHostAllowed, isLocalhostName } from './address-policy.js';

/**
 * The outbound policy of steps that connect to a host named in a job (database, SFTP; the HTTP
 * step checks the socket's own resolution): private, loopback, link-local, metadata and other
 * non-public addresses are refused unless the host is on the allowlist.
 */
export interface OutboundPolicy {
  /** Refuse non-public addresses. @default false */
  blockPrivateAddresses?: boolean;
  /** Hosts exempt from the block: exact names or IP literals, or `*.suffix`. @default [] */
  allowHosts?: readonly string[];
  /** Resolves a host name to its addresses. @default dns.lookup (all addresses) with `timeoutMs` */
  resolve?: (host: string) => Promise<string[]>;
  /** Deadline of the resolution. @default 5000 */
  timeoutMs?: number;
}

const blocked = (host: string, address: string, kind: string): NonRetryableError =>
  new NonRetryableError(`refused to connect to ${host}${address === host ? '' : ` (${address})`}: ${kind} addresses are blocked by the outbound policy; allow the host explicitly if this is intended`, {
    code: 'ADDRESS_BLOCKED',
    details: { host, address, kind },
  });

async function resolveAll(host: string, timeoutMs: number): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      lookup(host, { all: true, verbatim: true }).then((r) => r.map((x) => x.address)),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new TransientError(`resolving ${host} took longer than ${timeoutMs} ms`, { code: 'TRANSIENT', details: { host } })), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Decides, before any connection, whether a step may connect to `host`: resolves it and refuses
 * (NonRetryableError `ADDRESS_BLOCKED`) when the policy blocks private addresses, the host is not
 * allowed, and any of its addresses is not public. The connection itself resolves the name again,
 * so a DNS answer that changes in between (rebinding) is not covered here.
 */
export async function checkOutboundHost(host: string, policy: OutboundPolicy): Promise<void> {
  if (!policy.blockPrivateAddresses) return;
  if (isHostAllowed(host, policy.allowHosts ?? [])) return;
  if (isLocalhostName(host) || host === '') throw blocked(host || '(local socket)', host || 'local', 'loopback');
  const literal = classifyAddress(host);
  if (literal !== undefined) {
    if (literal !== 'public') throw blocked(host, host, literal);
    return;
  }
  const addresses = await (policy.resolve ?? ((h: string) => resolveAll(h, policy.timeoutMs ?? 5_000)))(host);
  for (const a of addresses) {
    const kind = classifyAddress(a);
    if (kind !== undefined && kind !== 'public') throw blocked(host, a, kind);
  }
}
