import { randomUUID } from 'node:crypto';

/**
 * A random UUID as an idempotency key (the delivery service's keys for requests that came
 * without one). Node builds `randomUUID()` by concatenation, so it returns a rope of about
 * fifteen pieces (some 500 bytes on the heap) where a flat string takes about 60, and every
 * store that keeps the key (the memory ledger, a sandbox's duplicate map) would keep the whole
 * rope alive. `toLowerCase()`, a no-op on a UUID's content, copies it into one flat string.
 */
export function randomKey(): string {
  return randomUUID().toLowerCase();
}

/*
 * Keys for chain invocations without one (direct chain calls): a random per-process prefix and a
 * counter. Unique across processes (122 random bits) and far cheaper than a UUID per call.
 * The counter's low 12 bits come from a table of fixed-width strings, so a key costs one
 * string concatenation; the prefix with the high bits is rebuilt every 4096 keys.
 */
const prefix = randomKey();
const LOW = Array.from({ length: 4096 }, (_, i) => i.toString(16).padStart(3, '0'));
let high = 0;
let head = `${prefix}-0-`;
let low = 0;

export function newIdempotencyKey(): string {
  if (low === 4096) {
    low = 0;
    high++;
    head = `${prefix}-${high.toString(36)}-`;
  }
  return head + LOW[low++]!;
}
