import { describe, expect, it } from 'vitest';
import { RollingWindow } from '../../src/core/window.js';

describe('RollingWindow', () => {
  it('counts calls, failures and slow calls over the live window only', () => {
    const w = new RollingWindow(10_000, 10);
    w.record(0, false, 5, false);
    w.record(500, true, 50, true);
    w.record(9_500, false, 5, false);
    expect(w.read(9_900)).toEqual({ calls: 3, failures: 1, slow: 1 });
    // At 10.5 s the first second's bucket (0-1 s) has rotated out.
    expect(w.read(10_500)).toEqual({ calls: 1, failures: 0, slow: 0 });
    expect(w.read(30_000)).toEqual({ calls: 0, failures: 0, slow: 0 });
  });

  it('reports latency percentiles from the histogram', () => {
    const w = new RollingWindow(60_000, 6);
    for (let i = 1; i <= 100; i++) w.record(1_000, false, i, false);
    const p50 = w.percentile(1_000, 0.5)!;
    const p99 = w.percentile(1_000, 0.99)!;
    expect(p50).toBeGreaterThanOrEqual(50);
    expect(p50).toBeLessThanOrEqual(50 * 1.5);
    expect(p99).toBeGreaterThanOrEqual(99);
    expect(p99).toBeLessThanOrEqual(99 * 1.5);
    expect(new RollingWindow(1000, 1).percentile(0, 0.5)).toBeNull();
  });

  it('keeps memory fixed: a million records use the same arrays', () => {
    const w = new RollingWindow(1_000, 4);
    for (let i = 0; i < 1_000_000; i++) w.record(i, i % 3 === 0, i % 100, false);
    const t = w.read(999_999);
    expect(t.calls).toBeLessThanOrEqual(1_000);
    expect(t.calls).toBeGreaterThan(700);
  });

  it('ignores a clock that goes backwards instead of corrupting totals', () => {
    const w = new RollingWindow(10_000, 10);
    w.record(5_000, true, 1, false);
    w.record(4_000, false, 1, false);
    expect(w.read(5_000)).toEqual({ calls: 2, failures: 1, slow: 0 });
  });
});
