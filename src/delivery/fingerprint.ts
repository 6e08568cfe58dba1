/**
 * The request fingerprint the ledger compares: a SHA-256 of the capability and the request's
 * canonical JSON (object keys sorted, `undefined` members dropped, as `safe-stable-stringify`
 * writes it), so the same request sent with its keys in another order has the same fingerprint.
 */
import { createHash } from 'node:crypto';
import { configure } from 'safe-stable-stringify';

const stableStringify = configure({ deterministic: true, bigint: true });

export function canonicalJson(value: unknown): string {
  return stableStringify(value) ?? 'null';
}

export function requestFingerprint(capability: string, request: unknown): string {
  return createHash('sha256')
    .update(`${capability}\u0000${canonicalJson(request)}`)
    .digest('hex');
}
