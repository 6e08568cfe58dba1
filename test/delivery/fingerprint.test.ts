import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, requestFingerprint } from '../../src/delivery/fingerprint.js';

/** The same object with its keys in reverse order, recursively. */
function reversed(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversed);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .reverse()
        .map(([k, x]) => [k, reversed(x)]),
    );
  return v;
}

describe('canonical JSON and the request fingerprint', () => {
  it('is valid JSON of the same value, with sorted keys, independent of key order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const c = canonicalJson(v);
        expect(JSON.parse(c)).toEqual(JSON.parse(JSON.stringify(v)));
        expect(canonicalJson(reversed(v))).toBe(c);
        expect(requestFingerprint('x', reversed(v))).toBe(requestFingerprint('x', v));
      }),
      { numRuns: 300 },
    );
  });

  it('orders keys as Array.prototype.sort does, for small and large objects alike', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary', maxLength: 4 }), fc.integer(), { maxKeys: 40 }), (v) => {
        const reference = `{${Object.keys(v)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${JSON.stringify(v[k])}`)
          .join(',')}}`;
        expect(canonicalJson(v)).toBe(reference);
      }),
      { numRuns: 300 },
    );
  });

  it('sorts keys, drops undefined members and writes null for undefined array items, as JSON.stringify would', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, undefined], c: 'x' }, u: undefined })).toBe('{"a":{"c":"x","d":[1,null]},"b":1}');
    expect(canonicalJson({})).toBe('{}');
    expect(canonicalJson([])).toBe('[]');
  });

  it('differs for a different request or capability, and is a SHA-256 in hex', () => {
    const fp = requestFingerprint('webhook_dispatch', { event: 'a' });
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    expect(requestFingerprint('webhook_dispatch', { event: 'b' })).not.toBe(fp);
    expect(requestFingerprint('crm_sync', { event: 'a' })).not.toBe(fp);
  });
});
