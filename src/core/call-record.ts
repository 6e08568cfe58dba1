/**
 * What calls to one provider saw: totals, the sliding window, the latency EMA, the last error
 * and the current failure streak (when it began, and whether real traffic took part in it).
 * Pure bookkeeping: the breaker and the cool-down live in TrackedProvider.
 */
import type { GatewayError } from './errors.js';
import type { LastError } from './health.js';
import type { HealthPolicy } from './policy.js';
import { RollingWindow, type WindowTotals } from './window.js';

export interface CallRecordSnapshot {
  emaMs: number | null;
  successCount: number;
  failureCount: number;
  consecutiveFailures: number;
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
  lastCheckedAt: number | null;
  lastError: LastError | null;
  /** First failure of the current streak (null when the last call succeeded). */
  failingSince?: number | null;
  /** True when real traffic failed during the current streak (a passing probe does not end it). */
  trafficFailing?: boolean;
  lastSlowAt?: number | null;
}

export class CallRecord {
  readonly window: RollingWindow;
  emaMs: number | null = null;
  successCount = 0;
  failureCount = 0;
  consecutiveFailures = 0;
  lastSuccessAt: number | null = null;
  lastFailureAt: number | null = null;
  lastCheckedAt: number | null = null;
  /** The last call slower than the slow-call threshold (slowness demotes a provider as failures do). */
  lastSlowAt: number | null = null;
  lastError: LastError | null = null;
  failingSince: number | null = null;
  trafficFailing = false;

  constructor(
    private readonly policy: HealthPolicy,
    private readonly slowCallMs: number,
  ) {
    this.window = new RollingWindow(policy.windowMs, policy.windowBuckets);
  }

  totals(now: number): Readonly<WindowTotals> {
    return this.window.read(now);
  }

  success(now: number, latencyMs: number): void {
    this.successCount++;
    this.consecutiveFailures = 0;
    this.failingSince = null;
    this.trafficFailing = false;
    this.lastSuccessAt = now;
    if (this.isSlow(latencyMs)) this.lastSlowAt = now;
    this.window.record(now, false, latencyMs, this.isSlow(latencyMs));
    this.emaMs = this.emaMs === null ? latencyMs : this.emaMs + this.policy.emaAlpha * (latencyMs - this.emaMs);
  }

  failure(now: number, latencyMs: number, error: GatewayError, fromTraffic: boolean): void {
    this.failureCount++;
    this.consecutiveFailures++;
    this.failingSince ??= now;
    if (fromTraffic) this.trafficFailing = true;
    this.noteError(now, error);
    this.window.record(now, true, latencyMs, this.isSlow(latencyMs));
  }

  /** The provider answered but asked us to wait (rate limit, quota): a call, not a failure. */
  throttled(now: number, latencyMs: number, error: GatewayError): void {
    this.noteError(now, error);
    this.window.record(now, false, latencyMs, false);
  }

  /** A recovery was confirmed by a real call: failures of the episode that ended leave the window. */
  forgetEpisode(): void {
    this.window.reset();
  }

  /** When the provider last failed or was slow: what a recovery trial waits to be old. */
  get lastTroubleAt(): number | null {
    if (this.lastFailureAt === null) return this.lastSlowAt;
    return this.lastSlowAt === null ? this.lastFailureAt : Math.max(this.lastFailureAt, this.lastSlowAt);
  }

  reset(): void {
    this.window.reset();
    this.consecutiveFailures = 0;
    this.failingSince = null;
    this.trafficFailing = false;
    this.lastError = null;
  }

  isSlow(latencyMs: number): boolean {
    return latencyMs >= this.slowCallMs;
  }

  snapshot(): CallRecordSnapshot {
    const {
      emaMs,
      successCount,
      failureCount,
      consecutiveFailures,
      lastSuccessAt,
      lastFailureAt,
      lastCheckedAt,
      lastError,
      failingSince,
      trafficFailing,
      lastSlowAt,
    } = this;
    return {
      emaMs,
      successCount,
      failureCount,
      consecutiveFailures,
      lastSuccessAt,
      lastFailureAt,
      lastCheckedAt,
      lastError,
      failingSince,
      trafficFailing,
      lastSlowAt,
    };
  }

  restore(s: CallRecordSnapshot): void {
    this.emaMs = s.emaMs;
    this.successCount = s.successCount;
    this.failureCount = s.failureCount;
    this.consecutiveFailures = s.consecutiveFailures;
    this.lastSuccessAt = s.lastSuccessAt;
    this.lastFailureAt = s.lastFailureAt;
    this.lastCheckedAt = s.lastCheckedAt;
    this.lastError = s.lastError;
    this.failingSince = s.failingSince ?? (s.consecutiveFailures > 0 ? s.lastFailureAt : null);
    this.trafficFailing = s.trafficFailing ?? false;
    this.lastSlowAt = s.lastSlowAt ?? null;
  }

  private noteError(now: number, error: GatewayError): void {
    this.lastError = { code: error.code, kind: error.kind, message: error.message, at: now };
    if (typeof error.details?.option === 'string') this.lastError.option = error.details.option;
    this.lastFailureAt = now;
  }
}
