/**
 * Engine settings with their documented defaults (docs/configuration.md lists them too).
 * Config files supply partial settings; `withDefaults` fills in the rest.
 */

export interface BreakerPolicy {
  /** Open after this many consecutive failures (catches low-volume providers). */
  consecutiveFailures: number;
  /** Open when the window's failure rate reaches this (0..1) ... */
  failureRateThreshold: number;
  /** ... once the window holds at least this many calls. */
  minimumCalls: number;
  /** A call slower than this counts as slow. */
  slowCallMs: number;
  /** Open when the slow-call rate reaches this (0..1), with minimumCalls. */
  slowCallRateThreshold: number;
  /** First open duration; grows by `backoffMultiplier` with each re-open, capped by maxOpenMs, jittered. */
  openMs: number;
  maxOpenMs: number;
  backoffMultiplier: number;
  /** Jitter as a fraction of the open duration (0.2 = +/-20%). */
  jitter: number;
  /** Probe calls admitted at once while half-open. */
  halfOpenMaxCalls: number;
  /** Timeout of a half-open probe call (shorter than a normal attempt). */
  halfOpenTimeoutMs: number;
  /** Longest time in half-open without a verdict before re-opening. */
  halfOpenMaxMs: number;
  /** How long an `auth` or `misconfigured` failure keeps the circuit open (a passing probe readmits a real call earlier). */
  authOpenMs: number;
  /**
   * Bounded trials: a provider demoted by old failures is given its configured place for one
   * call at most this often, and in a panic an open circuit is tried by one call at most this often.
   */
  trialIntervalMs: number;
}

export interface HealthPolicy {
  /** Fewer calls than this in the window: health is UNKNOWN. */
  minimumCalls: number;
  /** Closed but failure rate at or above this: DEGRADED. */
  degradedFailureRate: number;
  /** Closed but slow rate at or above this: DEGRADED. */
  degradedSlowRate: number;
  /** Window length and bucket count for rates and percentiles. */
  windowMs: number;
  windowBuckets: number;
  /** Weight of the newest sample in the latency EMA. */
  emaAlpha: number;
}

export interface CooldownPolicy {
  /** Cool-down after `rate_limited` when the provider sent no reset time. */
  rateLimitedMs: number;
  /** Cool-down after `quota` when the provider sent no reset time. */
  quotaMs: number;
  /** Longest cool-down accepted from a provider's signal. */
  maxMs: number;
}

export interface ProviderLimits {
  /** At most this many calls in flight (0 = unlimited) ... */
  concurrency: number;
  /** ... and this many waiting for a slot; beyond that `rejected_local`. */
  queue: number;
  /** Token-bucket rate limit in requests per second (0 = none), with this burst. */
  ratePerSecond: number;
  burst: number;
  /** Per-attempt timeout: the attempt's AbortSignal fires then. */
  attemptTimeoutMs: number;
  /** After the signal fired, the adapter may still give its own verdict for this long (else the engine decides). */
  abortGraceMs: number;
}

export type OrderingStrategy = 'priority' | 'round_robin' | 'weighted' | 'lowest_latency';
/**
 * When no provider is usable. `try_all`: an open circuit from transient failures gets a bounded
 * trial (one call in flight, at most one per `trialIntervalMs`, counted in the retry budget);
 * provider-announced waits (rate limit, quota, refused credentials, a provider misconfigured)
 * are never bypassed. `fail_fast`: no trial. Either way, when nothing is called the invocation
 * fails with GW_NO_USABLE_PROVIDER and the earliest time a provider becomes usable.
 */
export type PanicRule = 'try_all' | 'fail_fast';
/** A busy provider (its rate or concurrency full, or a rate-limit reset it announced): wait for a turn, or fail over at once. */
type OverflowRule = 'wait' | 'failover';

export interface RetryPolicy {
  /** Total attempts on one provider within one invocation (1 = no retry on the same provider). */
  maxAttemptsPerProvider: number;
  backoffMs: number;
  maxBackoffMs: number;
  /** Retry the same provider after `rate_limited` only when its reset time is at most this far. */
  maxRetryAfterMs: number;
  /** Extra attempts (retries + failovers) allowed as a fraction of recent invocations ... */
  budgetRatio: number;
  /** ... but at least this many extra attempts per second. */
  budgetMinPerSecond: number;
}

interface HedgingPolicy {
  enabled: boolean;
  /** Start the next provider after this delay; 0 = the primary's p95 latency (min 5 ms). */
  delayMs: number;
}

export interface ChainPolicy {
  strategy: OrderingStrategy;
  /** Providers within this fraction of the fastest EMA share load (lowest_latency). */
  latencyTolerance: number;
  panic: PanicRule;
  /** `wait`: a busy provider is waited for while its turn comes before the deadline; `failover`: the next provider is tried at once. */
  overflow: OverflowRule;
  /** Total deadline of one invocation. */
  deadlineMs: number;
  /** Fail over after `unknown_outcome` on side-effecting capabilities even when the provider cannot deduplicate. */
  failoverOnUnknownOutcome: boolean;
  retry: RetryPolicy;
  hedging: HedgingPolicy;
}

export const DEFAULT_BREAKER: BreakerPolicy = {
  consecutiveFailures: 5,
  failureRateThreshold: 0.5,
  minimumCalls: 10,
  slowCallMs: 10_000,
  slowCallRateThreshold: 0.8,
  openMs: 30_000,
  maxOpenMs: 10 * 60_000,
  backoffMultiplier: 2,
  jitter: 0.2,
  halfOpenMaxCalls: 1,
  halfOpenTimeoutMs: 5_000,
  halfOpenMaxMs: 60_000,
  authOpenMs: 5 * 60_000,
  trialIntervalMs: 5_000,
};

export const DEFAULT_HEALTH: HealthPolicy = {
  minimumCalls: 1,
  degradedFailureRate: 0.2,
  degradedSlowRate: 0.2,
  windowMs: 5 * 60_000,
  windowBuckets: 10,
  emaAlpha: 0.2,
};

export const DEFAULT_COOLDOWN: CooldownPolicy = { rateLimitedMs: 30_000, quotaMs: 60 * 60_000, maxMs: 24 * 60 * 60_000 };

export const DEFAULT_LIMITS: ProviderLimits = {
  concurrency: 0,
  queue: 1_000,
  ratePerSecond: 0,
  burst: 1,
  attemptTimeoutMs: 10_000,
  abortGraceMs: 100,
};

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttemptsPerProvider: 2,
  backoffMs: 100,
  maxBackoffMs: 2_000,
  maxRetryAfterMs: 2_000,
  budgetRatio: 0.2,
  budgetMinPerSecond: 10,
};

export const DEFAULT_CHAIN: ChainPolicy = {
  strategy: 'priority',
  latencyTolerance: 0.2,
  panic: 'try_all',
  overflow: 'wait',
  deadlineMs: 30_000,
  failoverOnUnknownOutcome: false,
  retry: DEFAULT_RETRY,
  hedging: { enabled: false, delayMs: 0 },
};

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

export function withDefaults<T extends object>(defaults: T, partial: DeepPartial<T> | undefined): T {
  if (!partial) return defaults;
  const out = { ...defaults } as Record<string, unknown>;
  for (const [k, v] of Object.entries(partial)) {
    if (v === undefined) continue;
    const d = (defaults as Record<string, unknown>)[k];
    out[k] = d && typeof d === 'object' && !Array.isArray(d) && typeof v === 'object' ? withDefaults(d, v as object) : v;
  }
  return out as T;
}
