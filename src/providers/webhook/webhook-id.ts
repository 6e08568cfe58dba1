/**
 * The `webhook-id` header: the invocation's idempotency key, so every retry of one event
 * carries the same id and receivers can deduplicate. Keys the spec does not allow as ids
 * (a `.`, whitespace, over 128 characters) are mapped to a stable hash of themselves.
 */
import { createHash } from 'node:crypto';

const SAFE_ID = /^[A-Za-z0-9_:-]{1,128}$/;

export function webhookIdFor(idempotencyKey: string): string {
  if (SAFE_ID.test(idempotencyKey)) return idempotencyKey;
  return `msg_${createHash('sha256').update(idempotencyKey, 'utf8').digest('base64url').slice(0, 32)}`;
}
