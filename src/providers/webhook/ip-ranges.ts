/**
 * Address classes the destination guard refuses by default (from the IANA IPv4 and IPv6
 * special-purpose registries). `undefined` means a public unicast address. IPv6 forms that carry
 * an IPv4 address are judged by it: IPv4-mapped (::ffff:a.b.c.d), IPv4-translated
 * (::ffff:0:a.b.c.d), IPv4-compatible (::a.b.c.d, deprecated), NAT64 (64:ff9b::/96) and 6to4
 * (2002:AABB:CCDD::/48). Teredo (2001::/32) hides its client address and is refused as reserved.
 */
import { BlockList, isIP } from 'node:net';

export type AddressClass = 'unspecified' | 'loopback' | 'private' | 'link_local' | 'cgnat' | 'multicast' | 'reserved';

const RANGES: Record<AddressClass, readonly string[]> = {
  unspecified: ['0.0.0.0/8', '::/128'],
  loopback: ['127.0.0.0/8', '::1/128'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7', 'fec0::/10'],
  link_local: ['169.254.0.0/16', 'fe80::/10'],
  cgnat: ['100.64.0.0/10'],
  multicast: ['224.0.0.0/4', 'ff00::/8'],
  reserved: [
    '240.0.0.0/4',
    '192.0.0.0/24',
    '192.0.2.0/24',
    '198.18.0.0/15',
    '198.51.100.0/24',
    '203.0.113.0/24',
    '2001:db8::/32',
    '100::/64',
    '2001::/32',
    '2001:10::/28',
    '2001:20::/28',
    '::/96',
    '::ffff:0:0:0/96',
    '64:ff9b:1::/48',
  ],
};

const LISTS = Object.entries(RANGES).map(([cls, cidrs]) => [cls as AddressClass, blockListOf(cidrs)] as const);

/** A BlockList of CIDR ranges and single addresses (`10.0.0.0/8`, `127.0.0.1`, `::1`). Invalid entries are ignored. */
export function blockListOf(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [addr = '', bits] = entry.split('/');
    const family = isIP(addr);
    if (family === 0) continue;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(bits), type);
  }
  return list;
}

/** The IPv4 address an IPv6 address carries (mapped, translated, compatible, NAT64, 6to4), if any. */
function embeddedIPv4(address: string): string | undefined {
  if (isIP(address) !== 6) return undefined;
  const g = expandIPv6(address);
  if (!g) return undefined;
  const v4 = (hi: number, lo: number): string => [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
  const zeros = (from: number, to: number): boolean => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && g[5] === 0xffff) return v4(g[6]!, g[7]!); // ::ffff:a.b.c.d
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) return v4(g[6]!, g[7]!); // ::ffff:0:a.b.c.d
  if (zeros(0, 6) && (g[6] !== 0 || g[7]! > 1)) return v4(g[6]!, g[7]!); // ::a.b.c.d (not :: or ::1)
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return v4(g[6]!, g[7]!); // 64:ff9b::a.b.c.d
  if (g[0] === 0x2002) return v4(g[1]!, g[2]!); // 6to4
  return undefined;
}

/** The eight 16-bit groups of an IPv6 address (with a trailing dotted quad allowed). */
function expandIPv6(address: string): number[] | undefined {
  let text = address.toLowerCase().split('%')[0]!;
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const part = (s: string): number[] => (s === '' ? [] : s.split(':').map((h) => parseInt(h, 16)));
  const left = part(head);
  const right = tail === undefined ? [] : part(tail);
  const groups = tail === undefined ? left : [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  return groups.length === 8 && groups.every((x) => Number.isInteger(x) && x >= 0 && x <= 0xffff) ? groups : undefined;
}

/** The refused class of an IP address, or undefined for a public address. */
export function classifyAddress(address: string): AddressClass | undefined {
  const v4 = embeddedIPv4(address);
  if (v4) return classifyAddress(v4);
  const family = isIP(address);
  if (family === 0) return 'reserved';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const [cls, list] of LISTS) if (list.check(address, type)) return cls;
  return undefined;
}

/** Whether `address` is in `list` (an allow-list), also through its embedded IPv4 address. */
export function inList(list: BlockList, address: string): boolean {
  const family = isIP(address);
  if (family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6')) return true;
  const v4 = embeddedIPv4(address);
  return v4 !== undefined && list.check(v4, 'ipv4');
}
