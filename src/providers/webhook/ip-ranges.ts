/**
 * Address classes the destination guard refuses by default. `undefined` means a public
 * unicast address. IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) addresses are
 * judged by the IPv4 address they carry.
 */
import { BlockList, isIP } from 'node:net';

export type AddressClass = 'unspecified' | 'loopback' | 'private' | 'link_local' | 'cgnat' | 'multicast' | 'reserved';

const RANGES: Record<AddressClass, readonly string[]> = {
  unspecified: ['0.0.0.0/8', '::/128'],
  loopback: ['127.0.0.0/8', '::1/128'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
  link_local: ['169.254.0.0/16', 'fe80::/10'],
  cgnat: ['100.64.0.0/10'],
  multicast: ['224.0.0.0/4', 'ff00::/8'],
  reserved: ['240.0.0.0/4', '192.0.0.0/24', '192.0.2.0/24', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '2001:db8::/32'],
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

/** The embedded IPv4 address of an IPv4-mapped or NAT64 IPv6 address. */
export function embeddedIPv4(address: string): string | undefined {
  const m = /^(?:::ffff:|64:ff9b::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(address);
  if (!m) return undefined;
  if (m[1]) return m[1];
  const hi = parseInt(m[2]!, 16);
  const lo = parseInt(m[3]!, 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
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
