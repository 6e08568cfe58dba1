/**
 * The request fingerprint the ledger compares: a SHA-256 of the capability and the request's
 * canonical JSON (object keys sorted, `undefined` members dropped), so the same request sent
 * with its keys in another order has the same fingerprint.
 */
import * as crypto from 'node:crypto';

/** One-shot hashing (Node >= 20.12) is about three times cheaper than a Hash object; older 20.x fall back. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;
const sha256Hex: (data: string) => string = oneShot ? (data) => oneShot('sha256', data, 'hex') : (data) => crypto.createHash('sha256').update(data).digest('hex');

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const s = JSON.stringify(value);
    return s === undefined ? 'null' : s;
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      out += (i === 0 ? '' : ',') + (v === undefined || typeof v === 'function' || typeof v === 'symbol' ? 'null' : canonicalJson(v));
    }
    return out + ']';
  }
  const obj = value as Record<string, unknown>;
  const keys = sortedKeys(obj);
  let out = '{';
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue; // as JSON.stringify drops them
    out += (out.length === 1 ? '' : ',') + JSON.stringify(k) + ':' + canonicalJson(v);
  }
  return out + '}';
}

/**
 * Object.keys in code-unit order, as Array.prototype.sort orders strings. Requests have a handful
 * of keys per object: an insertion sort in place allocates nothing, where sort() copies into a
 * work array on every call.
 */
function sortedKeys(obj: object): string[] {
  const keys = Object.keys(obj);
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > k) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = k;
  }
  return keys;
}

export function requestFingerprint(capability: string, request: unknown): string {
  return sha256Hex(`${capability}\u0000${canonicalJson(request)}`);
}
