import { isIPv4, isIPv6 } from 'node:net';

/** What kind of address an IP is, as far as the private-address policy is concerned. */
export type AddressKind =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link_local'
  | 'unspecified'
  | 'multicast'
  | 'reserved';

type V4Rule = { base: number; bits: number; kind: Exclude<AddressKind, 'public'> };

const v4 = (dotted: string, bits: number, kind: V4Rule['kind']): V4Rule => ({ base: ipv4ToInt(dotted), bits, kind });

// Order matters only for readability; ranges do not overlap.
const V4_RULES: V4Rule[] = [
  v4('0.0.0.0', 8, 'unspecified'), // "this network"; 0.0.0.0 reaches the local host on Linux
  v4('10.0.0.0', 8, 'private'),
  v4('100.64.0.0', 10, 'private'), // carrier-grade NAT (RFC 6598)
  v4('127.0.0.0', 8, 'loopback'),
  v4('169.254.0.0', 16, 'link_local'), // includes cloud metadata 169.254.169.254
  v4('172.16.0.0', 12, 'private'),
  v4('192.0.0.0', 24, 'reserved'), // IETF protocol assignments
  v4('192.168.0.0', 16, 'private'),
  v4('198.18.0.0', 15, 'reserved'), // benchmarking
  v4('224.0.0.0', 4, 'multicast'),
  v4('240.0.0.0', 4, 'reserved'), // includes 255.255.255.255
];

function ipv4ToInt(dotted: string): number {
  const parts = dotted.split('.').map(Number);
  return (((parts[0] ?? 0) << 24) | ((parts[1] ?? 0) << 16) | ((parts[2] ?? 0) << 8) | (parts[3] ?? 0)) >>> 0;
}

function classifyV4(n: number): AddressKind {
  for (const r of V4_RULES) {
    const mask = r.bits === 0 ? 0 : (0xffffffff << (32 - r.bits)) >>> 0;
    if (((n & mask) >>> 0) === ((r.base & mask) >>> 0)) return r.kind;
  }
  return 'public';
}

/** Expands an IPv6 text form (with `::` and an optional dotted IPv4 tail) into 8 16-bit groups. */
function ipv6ToGroups(text: string): number[] {
  let s = text;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  const lastColon = s.lastIndexOf(':');
  const maybeV4 = s.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    const n = ipv4ToInt(maybeV4);
    s = `${s.slice(0, lastColon + 1)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head = '', rest] = s.split('::');
  const headGroups = head === '' ? [] : head.split(':').map((x) => parseInt(x, 16));
  const restGroups = rest === undefined || rest === '' ? [] : rest.split(':').map((x) => parseInt(x, 16));
  const fill = rest === undefined ? [] : new Array<number>(8 - headGroups.length - restGroups.length).fill(0);
  return [...headGroups, ...fill, ...restGroups];
}

function classifyV6(text: string): AddressKind {
  const g = ipv6ToGroups(text);
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const embeddedV4 = ((g6 << 16) | g7) >>> 0;
  const firstFiveZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (firstFiveZero && g5 === 0 && g6 === 0 && g7 === 0) return 'unspecified';
  if (firstFiveZero && g5 === 0 && g6 === 0 && g7 === 1) return 'loopback';
  // ::ffff:a.b.c.d (IPv4-mapped) and ::a.b.c.d (deprecated IPv4-compatible) reach the IPv4 address.
  if (firstFiveZero && (g5 === 0xffff || g5 === 0)) return classifyV4(embeddedV4);
  // ::ffff:0:a.b.c.d (SIIT, RFC 6052 §2.1) reaches the IPv4 address too.
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0xffff && g5 === 0) return classifyV4(embeddedV4);
  // 64:ff9b::/96 (NAT64) translates to the embedded IPv4 address.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return classifyV4(embeddedV4);
  // 2002::/16 (6to4) carries an IPv4 address in groups 1–2.
  if (g0 === 0x2002) {
    const k = classifyV4(((g1 << 16) | g2) >>> 0);
    if (k !== 'public') return k;
  }
  if ((g0 & 0xfe00) === 0xfc00) return 'private'; // fc00::/7 unique local
  if ((g0 & 0xffc0) === 0xfe80) return 'link_local'; // fe80::/10
  if ((g0 & 0xffc0) === 0xfec0) return 'private'; // fec0::/10 site-local (deprecated)
  if ((g0 & 0xff00) === 0xff00) return 'multicast';
  return 'public';
}

/**
 * Classifies an IP address given as text (IPv4 dotted quad, or IPv6 with or without brackets).
 * Returns `undefined` when `address` is not an IP literal.
 */
export function classifyAddress(address: string): AddressKind | undefined {
  const a = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (isIPv4(a)) return classifyV4(ipv4ToInt(a));
  if (isIPv6(a)) return classifyV6(a);
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
