/**
 * Where tenants may make the service send UDP: CIDR parsing and the allow/deny decision for one
 * address. Pure: no DNS, no store (see ./destination-guard.ts for those).
 *
 * The decision: among the operator's `deny` and `allow` ranges and the built-in RESERVED_RANGES,
 * the most specific range holding the address decides (longest prefix, as a routing table). At
 * equal prefixes the operator's `deny` beats the operator's `allow`, which beats a built-in range,
 * so naming a built-in range (or a part of it) in `allow` lifts it, while `0.0.0.0/0` does not.
 * An address no range holds is allowed.
 *
 * IPv4-mapped (`::ffff:a.b.c.d`) and NAT64 well-known-prefix (`64:ff9b::a.b.c.d`) IPv6 addresses
 * are decided as the IPv4 address they carry, so `::ffff:127.0.0.1` is loopback.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type IpFamily = 4 | 6;

/** An address as a number; IPv4-mapped and NAT64 addresses are already their IPv4 address. */
export interface IpAddress {
  family: IpFamily;
  value: bigint;
}

export interface Cidr {
  family: IpFamily;
  /** The network with its host bits zero. */
  network: bigint;
  prefix: number;
  /** As the operator wrote it (or as the built-in list writes it). */
  text: string;
}

export type CidrParse = { ok: true; cidr: Cidr } | { ok: false; reason: string };

/** The operator's lists, parsed. */
export interface DestinationPolicy {
  allow: readonly Cidr[];
  deny: readonly Cidr[];
}

/** The operator's lists as written (the system document's `tenant_destinations`, or the environment). */
export interface DestinationLists {
  allow?: readonly string[];
  deny?: readonly string[];
}

export type DestinationVerdict =
  | { allowed: true; address: string }
  | {
      allowed: false;
      address: string;
      /** The range that decided, as written. */
      range: string;
      /** A sentence for the attempt row or the 400. */
      reason: string;
    };

const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };
const IPV4_MAPPED_PREFIX = 0xffffn; // ::ffff:0:0/96
const NAT64_WELL_KNOWN_PREFIX = 0x0064ff9b0000000000000000n; // 64:ff9b::/96, RFC 6052

function ipv4Value(text: string): bigint {
  return text.split('.').reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n);
}

/** A syntactically valid IPv6 address (checked by the caller) as a number. */
function ipv6Value(text: string): bigint {
  let groupsText = text;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    // A dotted IPv4 tail is the last two groups.
    const v4 = ipv4Value(tail);
    groupsText = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', rest] = groupsText.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const groups = rest === undefined ? left : [...left, ...new Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.reduce((value, group) => (value << 16n) | BigInt(parseInt(group, 16)), 0n);
}

/** An IPv6 address that carries an IPv4 address the network will deliver to, as that IPv4 address. */
function embeddedIpv4(value: bigint): bigint | undefined {
  const prefix = value >> 32n;
  return prefix === IPV4_MAPPED_PREFIX || prefix === NAT64_WELL_KNOWN_PREFIX ? value & 0xffffffffn : undefined;
}

/** An IP literal (a zone such as `%eth0` is ignored), or undefined when `text` is not one. */
export function parseAddress(text: string): IpAddress | undefined {
  const bare = text.includes('%') ? text.slice(0, text.indexOf('%')) : text;
  if (isIPv4(bare)) return { family: 4, value: ipv4Value(bare) };
  if (!isIPv6(bare)) return undefined;
  const value = ipv6Value(bare);
  const v4 = embeddedIpv4(value);
  return v4 === undefined ? { family: 6, value } : { family: 4, value: v4 };
}

const mask = (family: IpFamily, prefix: number): bigint => {
  const bits = BigInt(BITS[family]);
  return ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(prefix))) - 1n);
};

/**
 * `a.b.c.d/n`, `x:y::/n`, or a bare address (a single host). The host bits must be zero, so a
 * typo such as `10.0.0.1/8` is caught rather than silently widened.
 */
export function parseCidr(text: string): CidrParse {
  const parts = text.split('/');
  const [addressText = '', prefixText] = parts;
  if (parts.length > 2) return { ok: false, reason: `"${text}" has more than one "/"` };
  if (addressText.includes('%')) return { ok: false, reason: `"${text}" has a zone (%…); write the range without it` };
  const written: IpFamily | undefined = isIPv4(addressText) ? 4 : isIPv6(addressText) ? 6 : undefined;
  if (written === undefined) return { ok: false, reason: `"${addressText}" is not an IPv4 or IPv6 address` };
  const writtenBits = BITS[written];
  let prefix = writtenBits;
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > writtenBits) {
      return { ok: false, reason: `"/${prefixText}" is not a prefix length from 0 to ${writtenBits}` };
    }
    prefix = Number(prefixText);
  }
  const value = written === 4 ? ipv4Value(addressText) : ipv6Value(addressText);
  const network = value & mask(written, prefix);
  if (network !== value) {
    return { ok: false, reason: `"${text}" has host bits set; the network is ${formatNetwork(written, network)}/${prefix}` };
  }
  // ::ffff:a.b.c.d/n (n ≥ 96) is the IPv4 range it carries, since such addresses are decided as IPv4.
  const v4 = written === 6 && prefix >= 96 ? embeddedIpv4(network) : undefined;
  if (v4 !== undefined) return { ok: true, cidr: { family: 4, network: v4, prefix: prefix - 96, text } };
  return { ok: true, cidr: { family: written, network, prefix, text } };
}

function formatNetwork(family: IpFamily, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, index) => ((value >> BigInt((7 - index) * 16)) & 0xffffn).toString(16));
  // RFC 5952: the longest run of two or more zero groups becomes "::".
  let run = { start: -1, length: 0 };
  for (let start = 0; start < 8; start += 1) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === '0') length += 1;
    if (length > run.length) run = { start, length };
  }
  if (run.length < 2) return groups.join(':');
  return `${groups.slice(0, run.start).join(':')}::${groups.slice(run.start + run.length).join(':')}`;
}

function contains(cidr: Cidr, address: IpAddress): boolean {
  return cidr.family === address.family && (address.value & mask(cidr.family, cidr.prefix)) === cidr.network;
}

function builtIn(text: string, label: string): { cidr: Cidr; label: string } {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(`built-in range ${text}: ${parsed.reason}`);
  return { cidr: parsed.cidr, label };
}

/**
 * Denied to tenants unless the operator's `allow` names them: the service's own host, the
 * operator's private networks, and addresses that are no single host. Private ranges are here
 * because the service cannot tell a tenant's private network (reachable only through routes the
 * operator built) from the operator's own; the operator can, and lifts the part it routes.
 */
export const RESERVED_RANGES: readonly { cidr: Cidr; label: string }[] = [
  builtIn('0.0.0.0/8', '"this network", unspecified'),
  builtIn('10.0.0.0/8', 'private, RFC 1918'),
  builtIn('100.64.0.0/10', 'shared address space (carrier-grade NAT), RFC 6598'),
  builtIn('100.100.100.200/32', 'cloud instance metadata'),
  builtIn('127.0.0.0/8', 'loopback'),
  builtIn('169.254.0.0/16', 'link-local'),
  builtIn('169.254.169.254/32', 'cloud instance metadata'),
  builtIn('172.16.0.0/12', 'private, RFC 1918'),
  builtIn('192.168.0.0/16', 'private, RFC 1918'),
  builtIn('224.0.0.0/4', 'multicast'),
  builtIn('240.0.0.0/4', 'reserved'),
  builtIn('255.255.255.255/32', 'broadcast'),
  builtIn('::/96', 'IPv4-compatible IPv6 (deprecated)'),
  builtIn('::/128', 'unspecified'),
  builtIn('::1/128', 'loopback'),
  builtIn('64:ff9b:1::/48', 'local-use NAT64, RFC 8215'),
  builtIn('fc00::/7', 'unique local (private), RFC 4193'),
  builtIn('fd00:ec2::254/128', 'cloud instance metadata'),
  builtIn('fe80::/10', 'link-local'),
  builtIn('fec0::/10', 'site-local (deprecated)'),
  builtIn('ff00::/8', 'multicast'),
];

export const EMPTY_POLICY: DestinationPolicy = { allow: [], deny: [] };

/** Ranks at equal prefix length: the operator's deny, then its allow, then the built-in list. */
const RANK = { reserved: 0, allow: 1, deny: 2 } as const;

interface Match {
  cidr: Cidr;
  kind: keyof typeof RANK;
  label?: string;
}

/** Whether a tenant's server or NAS at `address` (an IP literal) may be sent to under `policy`. */
export function decideDestination(address: string, policy: DestinationPolicy): DestinationVerdict {
  const parsed = parseAddress(address);
  if (!parsed) return { allowed: false, address, range: address, reason: `"${address}" is not an IP address` };
  const candidates: Match[] = [
    ...RESERVED_RANGES.map(({ cidr, label }) => ({ cidr, kind: 'reserved' as const, label })),
    ...policy.allow.map((cidr) => ({ cidr, kind: 'allow' as const })),
    ...policy.deny.map((cidr) => ({ cidr, kind: 'deny' as const })),
  ];
  let best: Match | undefined;
  for (const candidate of candidates) {
    if (!contains(candidate.cidr, parsed)) continue;
    if (
      !best ||
      candidate.cidr.prefix > best.cidr.prefix ||
      (candidate.cidr.prefix === best.cidr.prefix && RANK[candidate.kind] > RANK[best.kind])
    ) {
      best = candidate;
    }
  }
  if (!best || best.kind === 'allow') return { allowed: true, address };
  const carried = parsed.family === 4 && !isIPv4(address) ? ` (the IPv4 address ${formatNetwork(4, parsed.value)})` : '';
  const why =
    best.kind === 'deny'
      ? ", which the operator's destination policy denies to tenants"
      : ` (${best.label ?? 'reserved'}), which tenants may not send to unless the operator's destination policy allows it`;
  return { allowed: false, address, range: best.cidr.text, reason: `${address}${carried} is in ${best.cidr.text}${why}` };
}

/** Each entry of a list that does not parse: `[index, reason]`. */
export function cidrProblems(list: readonly string[]): [number, string][] {
  return list.flatMap((text, index) => {
    const parsed = parseCidr(text);
    return parsed.ok ? [] : [[index, parsed.reason] as [number, string]];
  });
}

/** The lists parsed; an entry that does not parse is left out (saving refuses such lists). */
export function compilePolicy(lists: DestinationLists): DestinationPolicy {
  const parsed = (list: readonly string[] = []) =>
    list.flatMap((text) => {
      const result = parseCidr(text);
      return result.ok ? [result.cidr] : [];
    });
  return { allow: parsed(lists.allow), deny: parsed(lists.deny) };
}
