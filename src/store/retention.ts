/** How much history a store keeps. The store never grows without bound. */
export interface RetentionPolicy {
  /** Health checks kept (newest). Default 10,000. */
  historyMaxCount: number;
  /** Health checks, events and resolved recommendations older than this are dropped. Default 7 days. */
  historyMaxAgeMs: number;
  /** Audit events kept (newest). Default 10,000. */
  eventsMaxCount: number;
  /** Sent-mail records kept (newest). Default 100,000. */
  sentMailMaxCount: number;
  /** Sent-mail records older than this are dropped. Default 30 days. */
  sentMailMaxAgeMs: number;
  /** Prune after this many writes (cheap amortised pruning). Default 100. */
  pruneEveryWrites: number;
}

const DAY = 24 * 3600 * 1000;

export const DEFAULT_RETENTION: Readonly<RetentionPolicy> = Object.freeze({
  historyMaxCount: 10_000,
  historyMaxAgeMs: 7 * DAY,
  eventsMaxCount: 10_000,
  sentMailMaxCount: 100_000,
  sentMailMaxAgeMs: 30 * DAY,
  pruneEveryWrites: 100,
});

export function resolveRetention(partial?: Partial<RetentionPolicy>): RetentionPolicy {
  const out = { ...DEFAULT_RETENTION };
  for (const k of Object.keys(DEFAULT_RETENTION) as (keyof RetentionPolicy)[]) {
    const v = partial?.[k];
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) out[k] = v;
  }
  return out;
}

/** Counts writes and says when it is time to prune. */
export class PruneTicker {
  private writes = 0;
  constructor(private readonly every: number) {}
  tick(n = 1): boolean {
    this.writes += n;
    if (this.writes < this.every) return false;
    this.writes = 0;
    return true;
  }
}
