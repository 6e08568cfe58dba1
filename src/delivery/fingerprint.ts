/**
 * The request fingerprint the ledger compares: a SHA-256 of the capability and the request's
 * canonical JSON (object keys sorted, `undefined` members dropped), so the same request sent
 * with its keys in another order has the same fingerprint.
 */
import { createHash } from 'node:crypto';

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
  const keys = Object.keys(obj).sort();
  let out = '{';
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue; // as JSON.stringify drops them
    out += (out.length === 1 ? '' : ',') + JSON.stringify(k) + ':' + canonicalJson(v);
  }
  return out + '}';
}

export function requestFingerprint(capability: string, request: unknown): string {
  return createHash('sha256').update(`${capability}\u0000${canonicalJson(request)}`).digest('hex');
}
