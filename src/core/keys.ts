/**
 * Idempotency keys generated for invocations without one: a random per-process prefix and a
 * counter. Unique across processes (122 random bits) and far cheaper than a UUID per call.
 * The counter's low 12 bits come from a table of fixed-width strings, so a key costs one
 * string concatenation; the prefix with the high bits is rebuilt every 4096 keys.
 */
import { randomUUID } from 'node:crypto';

const prefix = randomUUID();
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
