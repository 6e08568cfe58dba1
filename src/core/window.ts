/**
 * A fixed-bucket sliding time window: call counts, failures, slow calls and a latency
 * histogram per bucket, with running totals so reading rates is O(1) and percentiles
 * are O(bins). Memory is O(buckets x bins); no timer: buckets rotate lazily on use.
 */

/** Upper bounds (ms) of the latency histogram bins: 1 ms to ~2 min, x1.5 per bin. */
const LATENCY_BOUNDS: readonly number[] = (() => {
  const out: number[] = [];
  for (let b = 1; b < 120_000; b *= 1.5) out.push(Math.round(b * 100) / 100);
  out.push(Number.POSITIVE_INFINITY);
  return out;
})();
const BINS = LATENCY_BOUNDS.length;

function binOf(ms: number): number {
  if (ms <= 1) return 0; // the common case: answered within the clock's resolution
  // Binary search: the first bound >= ms.
  let lo = 0;
  let hi = BINS - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (LATENCY_BOUNDS[mid]! >= ms) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export interface WindowTotals {
  calls: number;
  failures: number;
  slow: number;
}

export class RollingWindow {
  private readonly bucketMs: number;
  private readonly calls: Uint32Array;
  private readonly failures: Uint32Array;
  private readonly slow: Uint32Array;
  private readonly hist: Uint32Array; // buckets x BINS
  private readonly totalHist: Uint32Array;
  private readonly totals: WindowTotals = { calls: 0, failures: 0, slow: 0 };
  private headIndex = -1; // absolute bucket number of the newest bucket

  constructor(
    readonly windowMs: number,
    readonly buckets: number,
  ) {
    if (buckets < 1 || windowMs < buckets) throw new RangeError('window needs at least one bucket of 1 ms');
    this.bucketMs = windowMs / buckets;
    this.calls = new Uint32Array(buckets);
    this.failures = new Uint32Array(buckets);
    this.slow = new Uint32Array(buckets);
    this.hist = new Uint32Array(buckets * BINS);
    this.totalHist = new Uint32Array(BINS);
  }

  record(now: number, failed: boolean, latencyMs: number, slow: boolean): void {
    const slot = this.rotate(now);
    this.calls[slot]!++;
    this.totals.calls++;
    if (failed) {
      this.failures[slot]!++;
      this.totals.failures++;
    }
    if (slow) {
      this.slow[slot]!++;
      this.totals.slow++;
    }
    if (latencyMs >= 0) {
      const bin = binOf(latencyMs);
      this.hist[slot * BINS + bin]!++;
      this.totalHist[bin]!++;
    }
  }

  /** Totals over the live window at `now`. */
  read(now: number): Readonly<WindowTotals> {
    this.rotate(now);
    return this.totals;
  }

  /** Latency percentile (0..1) over the live window, as the upper bound of its bin; null when empty. */
  percentile(now: number, q: number): number | null {
    this.rotate(now);
    let count = 0;
    for (let i = 0; i < BINS; i++) count += this.totalHist[i]!;
    if (count === 0) return null;
    const rank = Math.max(1, Math.ceil(q * count));
    let seen = 0;
    for (let i = 0; i < BINS; i++) {
      seen += this.totalHist[i]!;
      if (seen >= rank) return Number.isFinite(LATENCY_BOUNDS[i]!) ? LATENCY_BOUNDS[i]! : LATENCY_BOUNDS[BINS - 2]!;
    }
    return null;
  }

  /** When the bucket holding `now` ends (totals can change then without a record). */
  nextBoundary(now: number): number {
    return (Math.floor(now / this.bucketMs) + 1) * this.bucketMs;
  }

  reset(): void {
    this.calls.fill(0);
    this.failures.fill(0);
    this.slow.fill(0);
    this.hist.fill(0);
    this.totalHist.fill(0);
    this.totals.calls = this.totals.failures = this.totals.slow = 0;
  }

  /** Advances to the bucket of `now`, clearing buckets that fell out; returns its slot. */
  private rotate(now: number): number {
    const index = Math.floor(now / this.bucketMs);
    if (index === this.headIndex) return index % this.buckets;
    if (index < this.headIndex) return this.headIndex % this.buckets; // clock went back: keep the newest bucket
    const steps = this.headIndex < 0 ? this.buckets : Math.min(this.buckets, index - this.headIndex);
    for (let s = 1; s <= steps; s++) this.clear((this.headIndex + s + this.buckets * 2) % this.buckets);
    this.headIndex = index;
    return index % this.buckets;
  }

  private clear(slot: number): void {
    this.totals.calls -= this.calls[slot]!;
    this.totals.failures -= this.failures[slot]!;
    this.totals.slow -= this.slow[slot]!;
    this.calls[slot] = 0;
    this.failures[slot] = 0;
    this.slow[slot] = 0;
    const base = slot * BINS;
    for (let i = 0; i < BINS; i++) {
      const n = this.hist[base + i]!;
      if (n !== 0) {
        this.totalHist[i]! -= n;
        this.hist[base + i] = 0;
      }
    }
  }
}
