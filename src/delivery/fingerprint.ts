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
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

export function requestFingerprint(capability: string, request: unknown): string {
  return createHash('sha256').update(capability).update('\u0000').update(canonicalJson(request)).digest('hex');
}
