/**
 * Issue 18, point 9: the destination guard refuses the IPv6 forms that carry or hide a refused
 * IPv4 address, and the remaining IANA special-purpose ranges; public addresses still pass.
 */
import { describe, expect, it } from 'vitest';
import { classifyAddress } from '../../src/providers/webhook/ip-ranges.js';

describe('address classes', () => {
  it.each([
    ['::7f00:1', 'loopback'], // IPv4-compatible 127.0.0.1
    ['::127.0.0.1', 'loopback'],
    ['2002:7f00:1::1', 'loopback'], // 6to4 of 127.0.0.1
    ['2002:a9fe:a9fe::1', 'link_local'], // 6to4 of 169.254.169.254 (cloud metadata)
    ['::ffff:0:7f00:1', 'loopback'], // IPv4-translated
    ['::ffff:0:a00:1', 'private'],
    ['64:ff9b::a9fe:a9fe', 'link_local'], // NAT64 of the metadata address
    ['fec0::1', 'private'], // site-local
    ['100::1', 'reserved'], // discard-only
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'reserved'], // Teredo
    ['::2', 'unspecified'], // IPv4-compatible 0.0.0.2
    ['::ffff:127.0.0.1', 'loopback'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
  ])('%s is %s', (address, cls) => {
    expect(classifyAddress(address)).toBe(cls);
  });

  it.each(['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946', '2002:5db8:d822::1', '2001:4860:4860::8888'])(
    '%s is public',
    (address) => {
      expect(classifyAddress(address)).toBeUndefined();
    },
  );
});
