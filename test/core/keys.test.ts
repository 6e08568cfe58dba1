import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { newIdempotencyKey, randomKey } from '../../src/core/keys.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Heap bytes each of `n` values from `make` keeps alive while held in a Map, as the memory ledger holds its keys. */
function retainedPerValue(make: () => string, n: number): number {
  const held = new Map<string, number>();
  gc();
  const before = v8.getHeapStatistics().used_heap_size;
  for (let i = 0; i < n; i++) held.set(make(), i);
  gc();
  const after = v8.getHeapStatistics().used_heap_size;
  expect(held.size).toBe(n); // also keeps `held` alive until after the second measurement
  return (after - before) / n;
}

describe('generated idempotency keys', () => {
  it('randomKey gives distinct lowercase version-4 UUIDs', () => {
    const keys = new Set(Array.from({ length: 10_000 }, randomKey));
    expect(keys.size).toBe(10_000);
    for (const k of [...keys].slice(0, 100)) expect(k).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('randomKey is one flat string: a held key costs about 100 bytes with its Map entry, not the ~500 of the rope randomUUID() builds', () => {
    const bytes = retainedPerValue(randomKey, 20_000);
    expect(bytes).toBeLessThan(150);
  });

  it('newIdempotencyKey is unique, with a shared random prefix and a counter', () => {
    const keys = Array.from({ length: 10_000 }, newIdempotencyKey);
    expect(new Set(keys).size).toBe(10_000);
    const prefix = keys[0]!.slice(0, 36);
    expect(prefix).toMatch(/^[0-9a-f-]{36}$/);
    for (const k of keys) expect(k.startsWith(prefix)).toBe(true);
  });
});
