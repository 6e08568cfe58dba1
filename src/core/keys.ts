/**
 * Idempotency keys generated for invocations without one: a random per-process prefix and a
 * counter. Unique across processes (122 random bits) and far cheaper than a UUID per call.
 */
import { randomUUID } from 'node:crypto';

const prefix = randomUUID();
let counter = 0;

export function newIdempotencyKey(): string {
  counter++;
  return `${prefix}-${counter.toString(36)}`;
}
