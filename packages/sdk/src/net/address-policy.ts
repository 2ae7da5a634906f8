import { isIPv4, isIPv6 } from 'node:net';
import ipaddr from 'ipaddr.js';

/** What kind of address an IP is, as far as the private-address policy is concerned. */
export type AddressKind =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link_local'
  | 'unspecified'
  | 'multicast'
  | 'reserved';

type BlockedKind = Exclude<AddressKind, 'public'>;

/** The policy: which IPv4 ranges are what. Ranges do not overlap; CIDR matching is ipaddr.js's. */
const V4_RANGES: ReadonlyArray<[cidr: string, kind: BlockedKind]> = [
  ['0.0.0.0/8', 'unspecified'], // "this network"; 0.0.0.0 reaches the local host on Linux
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'private'], // carrier-grade NAT (RFC 6598)
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link_local'], // includes cloud metadata 169.254.169.254
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'], // IETF protocol assignments
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'reserved'], // benchmarking
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'], // includes 255.255.255.255
];
const V4_RULES = V4_RANGES.map(([cidr, kind]) => ({ range: ipaddr.IPv4.parseCIDR(cidr), kind }));

/** IPv6 prefixes whose last 32 bits are an IPv4 address the packet reaches. */
const V6_EMBEDDING_V4 = [
  '::ffff:0:0/96', // IPv4-mapped
  '::/96', // IPv4-compatible (deprecated)
  '::ffff:0:0:0/96', // SIIT (RFC 6052 §2.1)
  '64:ff9b::/96', // NAT64
].map((cidr) => ipaddr.IPv6.parseCIDR(cidr));
/** 6to4: an IPv4 address in bits 16–47. */
const V6_6TO4 = ipaddr.IPv6.parseCIDR('2002::/16');
const V6_RULES: ReadonlyArray<{ range: [ipaddr.IPv6, number]; kind: BlockedKind }> = (
  [
    ['fc00::/7', 'private'], // unique local
    ['fe80::/10', 'link_local'],
    ['fec0::/10', 'private'], // site-local (deprecated)
    ['ff00::/8', 'multicast'],
  ] as const
).map(([cidr, kind]) => ({ range: ipaddr.IPv6.parseCIDR(cidr), kind }));

function classifyV4(a: ipaddr.IPv4): AddressKind {
  return V4_RULES.find((r) => a.match(r.range))?.kind ?? 'public';
}

const v4From = (hi: number, lo: number): ipaddr.IPv4 => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);

function classifyV6(a: ipaddr.IPv6): AddressKind {
  const g = a.parts;
  if (g.every((x) => x === 0)) return 'unspecified';
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return 'loopback';
  if (V6_EMBEDDING_V4.some((r) => a.match(r))) return classifyV4(v4From(g[6]!, g[7]!));
  if (a.match(V6_6TO4)) {
    const k = classifyV4(v4From(g[1]!, g[2]!));
    if (k !== 'public') return k;
  }
  return V6_RULES.find((r) => a.match(r.range))?.kind ?? 'public';
}

/**
 * Classifies an IP address given as text (IPv4 dotted quad, or IPv6 with or without brackets).
 * Returns `undefined` when `address` is not an IP literal.
 */
export function classifyAddress(address: string): AddressKind | undefined {
  const a = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  // node:net decides what an IP literal is (the same parser the sockets use); ipaddr.js reads it.
  if (isIPv4(a)) return classifyV4(ipaddr.IPv4.parse(a));
  if (isIPv6(a)) return classifyV6(ipaddr.IPv6.parse(a));
  return undefined;
}

/** True when the IP literal is anything but a public unicast address. */
export function isBlockedAddress(address: string): boolean {
  const kind = classifyAddress(address);
  return kind !== undefined && kind !== 'public';
}

/** Lower-cases and strips IPv6 brackets and a trailing root dot, so host names compare reliably. */
export function normaliseHost(host: string): string {
  let h = host.toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.endsWith('.')) h = h.slice(0, -1);
  return h;
}

/**
 * True when `hostname` is on the escape list. Entries are exact host names or IP literals
 * (`api.partner.vn`, `10.1.2.3`) or a leading-wildcard suffix (`*.corp.example`, which does not
 * match `corp.example` itself).
 */
export function isHostAllowed(hostname: string, allowHosts: readonly string[]): boolean {
  if (allowHosts.length === 0) return false;
  const h = normaliseHost(hostname);
  return allowHosts.some((entry) => {
    const e = normaliseHost(entry);
    if (e.startsWith('*.')) return h.endsWith(e.slice(1)) && h.length > e.length - 1;
    return h === e;
  });
}

/** Names that always mean the local host (RFC 6761), refused without asking DNS. */
export function isLocalhostName(hostname: string): boolean {
  const h = normaliseHost(hostname);
  return h === 'localhost' || h.endsWith('.localhost');
}
