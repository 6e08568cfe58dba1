/**
 * Retry and failover budget: extra attempts (retries and failovers) may be at most `ratio`
 * of the invocations in the last 10 seconds, with a floor of `minPerSecond`, so an outage does
 * not multiply the load on the providers that are left.
 */
const SLOTS = 10;
const SLOT_MS = 1_000;

export class RetryBudget {
  private readonly invocations = new Float64Array(SLOTS);
  private readonly extras = new Float64Array(SLOTS);
  private head = -1;
  private totalInvocations = 0;
  private totalExtras = 0;

  constructor(
    private readonly ratio: number,
    private readonly minPerSecond: number,
  ) {}

  recordInvocation(now: number): void {
    this.invocations[this.rotate(now)]!++;
    this.totalInvocations++;
  }

  /** Takes one extra attempt from the budget; false when it is spent. */
  tryWithdraw(now: number): boolean {
    const slot = this.rotate(now);
    const allowed = Math.max(this.minPerSecond * SLOTS, this.ratio * this.totalInvocations);
    if (this.totalExtras + 1 > allowed) return false;
    this.extras[slot]!++;
    this.totalExtras++;
    return true;
  }

  private rotate(now: number): number {
    const index = Math.floor(now / SLOT_MS);
    if (index === this.head) return index % SLOTS;
    if (index < this.head) return this.head % SLOTS;
    const steps = this.head < 0 ? SLOTS : Math.min(SLOTS, index - this.head);
    for (let s = 1; s <= steps; s++) {
      const slot = (this.head + s + SLOTS * 2) % SLOTS;
      this.totalInvocations -= this.invocations[slot]!;
      this.totalExtras -= this.extras[slot]!;
      this.invocations[slot] = 0;
      this.extras[slot] = 0;
    }
    this.head = index;
    return index % SLOTS;
  }
}
