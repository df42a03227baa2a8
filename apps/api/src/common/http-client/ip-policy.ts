import { isIP } from 'node:net';

/**
 * Which destination addresses a tenant-controlled URL may reach. A tenant who can make the server call an
 * internal address can read cloud credentials (169.254.169.254), poke Redis or Postgres on loopback, or scan
 * the private network, so everything that is not a public unicast address is refused.
 */

/** Addresses that hand out cloud credentials; refused even when private networks are allowed. */
const METADATA_ADDRESSES = new Set(['169.254.169.254', 'fd00:ec2::254']);

interface V4Range {
  base: number;
  bits: number;
  reason: string;
}

const v4 = (cidr: string, reason: string): V4Range => {
  const [addr, bits] = cidr.split('/') as [string, string];
  return { base: parseV4(addr)!, bits: Number(bits), reason };
};

const V4_BLOCKED: V4Range[] = [
  v4('0.0.0.0/8', 'the "this network" range (0.0.0.0/8)'),
  v4('10.0.0.0/8', 'a private address (10.0.0.0/8)'),
  v4('100.64.0.0/10', 'a carrier-grade NAT address (100.64.0.0/10)'),
  v4('127.0.0.0/8', 'a loopback address (127.0.0.0/8)'),
  v4('169.254.0.0/16', 'a link-local address (169.254.0.0/16)'),
  v4('172.16.0.0/12', 'a private address (172.16.0.0/12)'),
  v4('192.0.0.0/24', 'an IETF protocol assignment (192.0.0.0/24)'),
  v4('192.168.0.0/16', 'a private address (192.168.0.0/16)'),
  v4('198.18.0.0/15', 'a benchmarking address (198.18.0.0/15)'),
  v4('224.0.0.0/4', 'a multicast address (224.0.0.0/4)'),
  v4('240.0.0.0/4', 'a reserved or broadcast address (240.0.0.0/4)'),
];

/** Ranges that are "private" in the operator's sense: what OUTBOUND_ALLOW_PRIVATE_NETWORKS opens up. */
export type BlockKind = 'metadata' | 'private';

export interface BlockedAddress {
  kind: BlockKind;
  reason: string;
}

function parseV4(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

const v4ToString = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

/** Eight 16-bit groups; handles `::`, an embedded dotted IPv4 tail and a zone id (`fe80::1%eth0`). */
function parseV6(ip: string): number[] | undefined {
  let s = ip.replace(/^\[|\]$/g, '');
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  // A dotted IPv4 tail (`::ffff:10.0.0.1`) becomes its two hex groups.
  const lastColon = s.lastIndexOf(':');
  const last = s.slice(lastColon + 1);
  if (last.includes('.')) {
    const n = parseV4(last);
    if (n === undefined) return undefined;
    s = `${s.slice(0, lastColon + 1)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  const total = head.length + rest.length;
  if (halves.length === 1 && total !== 8) return undefined;
  if (halves.length === 2 && total > 7) return undefined;
  const groups = [...head, ...new Array<number>(8 - total).fill(0), ...rest];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff)
    ? groups
    : undefined;
}

function classifyV4(n: number): BlockedAddress | undefined {
  if (METADATA_ADDRESSES.has(v4ToString(n)))
    return { kind: 'metadata', reason: 'the cloud metadata address 169.254.169.254' };
  for (const r of V4_BLOCKED) {
    const mask = r.bits === 0 ? 0 : (0xffffffff << (32 - r.bits)) >>> 0;
    if ((n & mask) >>> 0 === (r.base & mask) >>> 0) return { kind: 'private', reason: r.reason };
  }
  return undefined;
}

function classifyV6(g: number[]): BlockedAddress | undefined {
  const embedded = (hi: number, lo: number) => ((hi << 16) >>> 0) + lo;
  const zeroPrefix = (n: number) => g.slice(0, n).every((x) => x === 0);
  // Forms that carry an IPv4 address, which is what the packet really reaches: judge that address.
  if (zeroPrefix(5) && g[5] === 0xffff) return mapped(classifyV4(embedded(g[6]!, g[7]!)), 'IPv4-mapped');
  if (zeroPrefix(6)) {
    if (g[6] === 0 && g[7] === 0) return { kind: 'private', reason: 'the unspecified address (::)' };
    if (g[6] === 0 && g[7] === 1) return { kind: 'private', reason: 'the loopback address (::1)' };
    return mapped(classifyV4(embedded(g[6]!, g[7]!)), 'IPv4-compatible');
  }
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0))
    return mapped(classifyV4(embedded(g[6]!, g[7]!)), 'NAT64');
  if (g[0] === 0x2002) return mapped(classifyV4(embedded(g[1]!, g[2]!)), '6to4');

  if (g.join(':') === [0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254].join(':'))
    return { kind: 'metadata', reason: 'the cloud metadata address fd00:ec2::254' };
  const first = g[0]!;
  if ((first & 0xffc0) === 0xfe80) return { kind: 'private', reason: 'a link-local address (fe80::/10)' };
  if ((first & 0xffc0) === 0xfec0) return { kind: 'private', reason: 'a site-local address (fec0::/10)' };
  if ((first & 0xfe00) === 0xfc00) return { kind: 'private', reason: 'a unique-local address (fc00::/7)' };
  if ((first & 0xff00) === 0xff00) return { kind: 'private', reason: 'a multicast address (ff00::/8)' };
  if (first === 0x100 && g.slice(1, 4).every((x) => x === 0))
    return { kind: 'private', reason: 'a discard-only address (100::/64)' };
  return undefined;
}

function mapped(inner: BlockedAddress | undefined, form: string): BlockedAddress | undefined {
  return inner && { kind: inner.kind, reason: `${inner.reason}, in ${form} IPv6 form` };
}

/** Why `ip` is not a public unicast address, or undefined when it is one. Unparseable input counts as blocked. */
export function classifyAddress(ip: string): BlockedAddress | undefined {
  const bare = ip.replace(/^\[|\]$/g, '');
  const family = isIP(bare.split('%')[0]!);
  if (family === 4) return classifyV4(parseV4(bare)!);
  if (family === 6) {
    const groups = parseV6(bare);
    return groups ? classifyV6(groups) : { kind: 'private', reason: `an unparseable address (${ip})` };
  }
  return { kind: 'private', reason: `not an IP address (${ip})` };
}

/** Decides whether one resolved (or literal) address may be connected to. */
export type AddressPolicy = (ip: string) => { allowed: true } | { allowed: false; reason: string };

/**
 * The default policy. `allowPrivateNetworks` (self-hosted installs, tests) opens loopback and private ranges,
 * but never the cloud metadata addresses: no webhook or callback legitimately lives there.
 */
export function defaultAddressPolicy(allowPrivateNetworks: boolean): AddressPolicy {
  return (ip) => {
    const blocked = classifyAddress(ip);
    if (!blocked || (allowPrivateNetworks && blocked.kind === 'private')) return { allowed: true };
    return { allowed: false, reason: `${ip} is ${blocked.reason}` };
  };
}
