/**
 * One provider with its breaker, window, EMA latency, cool-down and limits. Every attempt's
 * outcome is recorded here exactly once, from live traffic and from probes alike.
 */
import { Attempt, DEADLINE, deadlineReason } from './attempt.js';
import { CircuitBreaker, type PermitVerdict } from './breaker.js';
import type { Clock } from './clock.js';
import type { DeadlineTimer } from './deadline.js';
import { GatewayError, toGatewayError, type ErrorCode, type FailureKind } from './errors.js';
import { Emitter, type Disposer } from './events.js';
import { deriveHealth } from './health-rules.js';
import { ProviderHealth, ProviderStatus, type LastError, type ProviderStatusJSON } from './health.js';
import { ConcurrencyLimiter, TokenBucket, type RateLimiter } from './limits.js';
import { silentLogger, type Logger } from './logger.js';
import type { BreakerPolicy, CooldownPolicy, HealthPolicy, ProviderLimits } from './policy.js';
import type { Provider } from './provider.js';
import { RollingWindow } from './window.js';
import type {
  AttemptOptions,
  AttemptResult,
  BreakerChangeEvent,
  HealthChangeEvent,
  ProbeOutcome,
  TrackedProviderOptions,
  TrackedProviderSnapshot,
  Unavailable,
} from './tracked-provider-types.js';

export type * from './tracked-provider-types.js';

export class TrackedProvider {
  readonly name: string;
  readonly type: string;
  readonly capability: string;
  readonly configured: boolean;
  readonly missingSetting: string | undefined;
  readonly weight: number;
  readonly hints: Readonly<Record<string, string>>;
  readonly limits: ProviderLimits;

  private readonly clock: Clock;
  private readonly deadlines: DeadlineTimer;
  private readonly breakerPolicy: BreakerPolicy;
  private readonly healthPolicy: HealthPolicy;
  private readonly cooldownPolicy: CooldownPolicy;
  private readonly sideEffects: boolean;
  private readonly logger: Logger;
  private readonly breaker: CircuitBreaker;
  private readonly window: RollingWindow;
  private readonly rate: RateLimiter | null;
  private readonly concurrency: ConcurrencyLimiter | null;

  private emaMs: number | null = null;
  private successCount = 0;
  private failureCount = 0;
  private consecutiveFailures = 0;
  private lastSuccessAt: number | null = null;
  private lastFailureAt: number | null = null;
  private lastCheckedAt: number | null = null;
  private lastError: LastError | null = null;
  private cooldownUntil = 0;
  private cooldownKind: FailureKind | null = null;
  private inFlight = 0;
  private lastHealth: ProviderHealth;
  /** Health is cached until something is recorded or a time boundary (bucket, open, cool-down) passes. */
  private cached: { health: ProviderHealth; reason: string } | null = null;
  private cachedUntil = 0;

  private readonly healthEvents = new Emitter<HealthChangeEvent>();
  private readonly breakerEvents = new Emitter<BreakerChangeEvent>();
  readonly onHealthChange: (listener: (e: HealthChangeEvent) => void) => Disposer = this.healthEvents.on;
  readonly onBreakerStateChange: (listener: (e: BreakerChangeEvent) => void) => Disposer = this.breakerEvents.on;

  constructor(
    readonly adapter: Provider,
    options: TrackedProviderOptions,
  ) {
    this.name = adapter.name;
    this.type = options.type ?? adapter.type;
    this.capability = options.capability;
    this.sideEffects = options.sideEffects;
    this.configured = options.configured ?? true;
    this.missingSetting = options.missingSetting;
    this.weight = options.weight ?? 1;
    this.hints = options.hints ?? {};
    this.limits = options.limits;
    this.clock = options.clock;
    this.deadlines = options.deadlines;
    this.breakerPolicy = options.breaker;
    this.healthPolicy = options.health;
    this.cooldownPolicy = options.cooldown;
    this.logger = options.logger ?? silentLogger;
    this.breaker = new CircuitBreaker(options.breaker, options.random, (from, to, reason) => {
      this.invalidate();
      if (this.breakerEvents.hasListeners) {
        this.breakerEvents.emit({ provider: this.name, capability: this.capability, from, to, reason, at: this.clock.now() });
      }
    });
    this.window = new RollingWindow(options.health.windowMs, options.health.windowBuckets);
    const now = this.clock.now();
    this.rate =
      options.rateLimiter ??
      (options.limits.ratePerSecond > 0 ? new TokenBucket(options.limits.ratePerSecond, Math.max(1, options.limits.burst), now) : null);
    this.concurrency = options.limits.concurrency > 0 ? new ConcurrencyLimiter(options.limits.concurrency, options.limits.queue, this.clock) : null;
    this.lastHealth = this.health;
  }

  /** The adapter deduplicates by idempotency key (safe to fail over after unknown_outcome). */
  get deduplicates(): boolean {
    return this.adapter.deduplicates === true;
  }

  get health(): ProviderHealth {
    return this.healthAt(this.clock.now()).health;
  }

  /** Null when the provider may be called now; otherwise why not. */
  unavailable(now: number): Unavailable | null {
    if (this.breaker.state === 'closed' && this.cooldownUntil <= now && this.configured) return null; // the common case
    // The answer only changes with the breaker's generation, the cool-down or the passing of `until`.
    const c = this.unavailableCache;
    if (c !== null && c.generation === this.breaker.generation && c.cooldownUntil === this.cooldownUntil && (c.value.until === null || now < c.value.until)) {
      return c.value;
    }
    const value = this.computeUnavailable(now);
    // Half-open permits change without a generation change, so that answer is never cached.
    this.unavailableCache = value && value.code !== 'GW_HALF_OPEN_BUSY' ? { value, generation: this.breaker.generation, cooldownUntil: this.cooldownUntil } : null;
    return value;
  }

  private unavailableCache: { value: Unavailable; generation: number; cooldownUntil: number } | null = null;

  private computeUnavailable(now: number): Unavailable | null {
    if (!this.configured) return { code: 'GW_NOT_CONFIGURED', reason: `not configured: ${this.missingSetting ?? 'missing settings'}`, until: null };
    const state = this.breaker.state;
    if (state === 'isolated') return { code: 'GW_CIRCUIT_OPEN', reason: 'isolated by operator', until: null };
    if (state !== 'forced_closed' && this.cooldownUntil > now) {
      return { code: 'GW_COOLING_DOWN', reason: `cooling down after ${this.cooldownKind}`, until: this.cooldownUntil };
    }
    if (!this.breaker.admits(now)) {
      const until = this.breaker.openUntil;
      return until !== null
        ? { code: 'GW_CIRCUIT_OPEN', reason: `circuit open (${this.breaker.openReason ?? 'failures'})`, until }
        : { code: 'GW_HALF_OPEN_BUSY', reason: 'half-open probe in flight', until: null };
    }
    return null;
  }


  /** When the provider becomes usable again (for fail_fast errors), or null if unknown. */
  availableAt(now: number): number | null {
    const u = this.unavailable(now);
    return u ? u.until : now;
  }

  /** Runs one attempt: permits, the adapter call bounded by the deadline, and one recording of the outcome. */
  execute<T = unknown>(request: unknown, opts: AttemptOptions): Promise<AttemptResult<T>> {
    return new Promise<AttemptResult<T>>((resolve) => this.start<T>(request, opts, resolve));
  }

  /**
   * Like execute, but hands the outcome to `done` (called exactly once) instead of a promise:
   * the chain's fast path settles its own promise from here and saves a promise and a hop.
   */
  start<T = unknown>(request: unknown, opts: AttemptOptions, done: (r: AttemptResult<T>) => void): void {
    const start = opts.now ?? this.clock.now();
    let verdict: PermitVerdict = 'closed';
    if (!opts.bypass) {
      verdict = this.breaker.acquire(start);
      if (verdict !== 'closed' && verdict !== 'half_open') {
        return done(this.localReject(verdict === 'half_open_busy' ? 'GW_HALF_OPEN_BUSY' : 'GW_CIRCUIT_OPEN', `circuit ${verdict.replace('_', '-')}`, undefined));
      }
    }
    const generation = this.breaker.generation;
    if (this.rate) {
      const wait = this.rate.tryTake(start);
      if (wait > 0) {
        this.breaker.release(verdict, generation);
        return done(this.localReject('GW_LOCAL_RATE_LIMIT', `local rate limit of ${this.limits.ratePerSecond}/s reached`, wait));
      }
    }
    if (!this.concurrency) return this.run<T>(request, opts, verdict, generation, start, done);
    void this.queued<T>(this.concurrency, request, opts, verdict, generation, start).then(done);
  }

  /**
   * @internal The chain's fast path: a first attempt without an options object. Providers
   * with local limits, and a breaker that refuses, take the general path.
   */
  startFirst<T>(request: unknown, key: string, deadline: number, now: number, logger: Logger, done: (r: AttemptResult<T>) => void): void {
    const state = this.breaker.state;
    if (this.rate || this.concurrency || (state !== 'closed' && state !== 'forced_closed')) {
      return this.start<T>(request, { idempotencyKey: key, deadline, attempt: 1, logger, now }, done);
    }
    this.launch<T>(request, key, 1, logger, deadline, 'closed', this.breaker.generation, now, done);
  }

  private async queued<T>(
    limiter: ConcurrencyLimiter,
    request: unknown,
    opts: AttemptOptions,
    verdict: PermitVerdict,
    generation: number,
    start: number,
  ): Promise<AttemptResult<T>> {
    const got = limiter.acquire(opts.deadline - start);
    if (!(got === true || (got !== false && (await got)))) {
      this.breaker.release(verdict, generation);
      return this.localReject('GW_CONCURRENCY_LIMIT', `concurrency limit of ${this.limits.concurrency} reached`, undefined);
    }
    try {
      return await new Promise<AttemptResult<T>>((resolve) => this.run<T>(request, opts, verdict, generation, this.clock.now(), resolve));
    } finally {
      limiter.release();
    }
  }

  /**
   * Calls the adapter under the shared deadline timer. The returned promise settles exactly
   * once, with the first of: the adapter's answer or the deadline; the outcome is recorded then.
   */
  private run<T>(request: unknown, opts: AttemptOptions, verdict: PermitVerdict, generation: number, began: number, done: (r: AttemptResult<T>) => void): void {
    this.launch<T>(request, opts.idempotencyKey, opts.attempt, opts.logger, opts.deadline, verdict, generation, began, done, opts.onStart);
  }

  private launch<T>(
    request: unknown,
    key: string,
    attemptNo: number,
    logger: Logger,
    invocationDeadline: number,
    verdict: PermitVerdict,
    generation: number,
    began: number,
    done: (r: AttemptResult<T>) => void,
    onStart?: (attempt: Attempt<T>) => void,
  ): void {
    const timeout = verdict === 'half_open' ? Math.min(this.limits.attemptTimeoutMs, this.breakerPolicy.halfOpenTimeoutMs) : this.limits.attemptTimeoutMs;
    const deadline = Math.min(invocationDeadline, began + timeout);
    const attempt = new Attempt<T>(this, this.deadlines, key, attemptNo, logger, deadline, verdict, generation, began, done);
    onStart?.(attempt);
    this.inFlight++;
    let p: Promise<unknown>;
    try {
      p = this.adapter.invoke(request, attempt);
    } catch (e) {
      p = Promise.reject(e);
    }
    this.deadlines.addNode(attempt);
    p.then(
      (value) => attempt.succeed(value),
      (thrown: unknown) => attempt.fail(thrown),
    );
  }

  /** @internal An attempt's adapter answered. */
  settleSuccess<T>(a: Attempt<T>, value: unknown): AttemptResult<T> {
    const end = this.clock.now();
    this.inFlight--;
    this.recordSuccess(end - a.began, a.verdict, a.generation, end);
    return { ok: true, value: value as T, latencyMs: end - a.began, endedAt: end };
  }

  /** @internal An attempt failed or reached its deadline (`thrown === DEADLINE`). */
  settleFailure<T>(a: Attempt<T>, thrown: unknown): AttemptResult<never> {
    return this.failed(thrown, a, a.began, a.verdict, a.generation);
  }

  private failed(thrown: unknown, ctx: { readonly cancelled: boolean }, began: number, verdict: PermitVerdict, generation: number): AttemptResult<never> {
    this.inFlight--;
    const end = this.clock.now();
    if (ctx.cancelled) {
      this.breaker.release(verdict, generation);
      return this.localReject('GW_CANCELLED', 'cancelled: a hedged attempt won', undefined);
    }
    const error = thrown === DEADLINE ? this.deadlineError() : toGatewayError(thrown, this.name, this.capability);
    this.recordFailure(error, end - began, verdict, generation);
    return { ok: false, error, latencyMs: end - began, local: false, endedAt: end };
  }

  /** Runs the adapter's probe with its own timeout and feeds the outcome into health. Never throws. */
  async probe(timeoutMs = 10_000): Promise<ProbeOutcome> {
    const at = this.clock.now();
    const base = { provider: this.name, capability: this.capability, at };
    if (!this.configured) return { ...base, ok: false, skipped: 'not_configured', latencyMs: 0 };
    const probeFn = this.adapter.probe?.bind(this.adapter);
    if (!probeFn) return { ...base, ok: false, skipped: 'no_probe', latencyMs: 0 };
    const deadline = at + timeoutMs;
    const controller = new AbortController(); // probes are rare: an eager controller is fine
    const generation = this.breaker.generation;
    try {
      const res = await this.raceDeadline(Promise.resolve().then(() => probeFn({ signal: controller.signal, deadline, provider: this.name, logger: this.logger })), deadline, controller);
      const latencyMs = this.clock.now() - at;
      this.lastCheckedAt = this.clock.now();
      this.breaker.probeSucceeded(this.clock.now());
      this.recordSuccess(latencyMs, 'closed', generation);
      const out: ProbeOutcome = { ...base, ok: true, latencyMs };
      if (res?.metadata) out.metadata = res.metadata;
      if (res?.warnings?.length) out.warnings = [...res.warnings];
      return out;
    } catch (thrown) {
      const latencyMs = this.clock.now() - at;
      const error =
        thrown === DEADLINE
          ? new GatewayError('GW_PROVIDER_TIMEOUT', `probe did not finish within ${timeoutMs} ms`, { provider: this.name, capability: this.capability })
          : toGatewayError(thrown, this.name, this.capability);
      this.lastCheckedAt = this.clock.now();
      this.recordFailure(error, latencyMs, 'closed', generation);
      const e: NonNullable<ProbeOutcome['error']> = { code: error.code, kind: error.kind, message: error.message };
      if (error.retryAfterMs !== undefined) e.retryAfterMs = error.retryAfterMs;
      return { ...base, ok: false, latencyMs, error: e };
    }
  }

  isolate(): void {
    this.breaker.isolate(this.clock.now());
    this.checkHealth('isolated by operator');
  }

  forceClosed(): void {
    this.breaker.forceClosed(this.clock.now());
    this.checkHealth('forced closed by operator');
  }

  /** Back to a fresh closed state: counters, window, cool-down and breaker cleared. */
  reset(): void {
    this.breaker.reset(this.clock.now());
    this.window.reset();
    this.cooldownUntil = 0;
    this.cooldownKind = null;
    this.consecutiveFailures = 0;
    this.lastError = null;
    this.checkHealth('reset by operator');
  }

  status(): ProviderStatus {
    this.checkHealth('time passed'); // open -> half-open and cool-down expiry happen with time
    const now = this.clock.now();
    const totals = this.window.read(now);
    const { health, reason } = this.healthAt(now);
    const calls = totals.calls;
    const breakerState = this.breaker.stateAt(now);
    const json: ProviderStatusJSON = {
      name: this.name,
      type: this.type,
      capability: this.capability,
      health,
      healthReason: reason,
      configured: this.configured,
      latencyMs: this.emaMs === null ? null : Math.round(this.emaMs * 100) / 100,
      p50Ms: this.window.percentile(now, 0.5),
      p95Ms: this.window.percentile(now, 0.95),
      p99Ms: this.window.percentile(now, 0.99),
      successCount: this.successCount,
      failureCount: this.failureCount,
      consecutiveFailures: this.consecutiveFailures,
      windowCalls: calls,
      successRate: calls === 0 ? null : (calls - totals.failures) / calls,
      slowRate: calls === 0 ? null : totals.slow / calls,
      lastSuccessAt: this.lastSuccessAt,
      lastFailureAt: this.lastFailureAt,
      lastError: this.lastError ? { ...this.lastError } : null,
      lastCheckedAt: this.lastCheckedAt,
      breakerState,
      openUntil: breakerState === 'open' ? this.breaker.openUntil : null,
      reopenCount: this.breaker.reopenCount,
      cooldownUntil: this.cooldownUntil > now ? this.cooldownUntil : null,
      cooldownKind: this.cooldownUntil > now ? this.cooldownKind : null,
      inFlight: this.inFlight,
    };
    return new ProviderStatus(json);
  }

  /** EMA latency for ordering (null before the first call). */
  get latencyEma(): number | null {
    return this.emaMs;
  }

  /** Health rank without building a status (hot path of the ordering strategies). */
  healthAt(now: number): { health: ProviderHealth; reason: string } {
    if (this.cached !== null && now < this.cachedUntil && now >= this.cachedFrom) return this.cached;
    this.cached = this.computeHealth(now);
    this.cachedFrom = now;
    let until = this.window.nextBoundary(now);
    const open = this.breaker.openUntil;
    if (open !== null && open > now && open < until) until = open;
    if (this.cooldownUntil > now && this.cooldownUntil < until) until = this.cooldownUntil;
    if (this.breaker.state === 'half_open') until = now + 1; // half-open expiry is checked on every read
    this.cachedUntil = until;
    return this.cached;
  }

  private cachedFrom = 0;

  /** Drops the cached health (called whenever an input of the health mapping changes). */
  private invalidate(): void {
    this.cached = null;
  }

  private computeHealth(now: number): { health: ProviderHealth; reason: string } {
    return deriveHealth(
      {
        configured: this.configured,
        breakerState: this.breaker.stateAt(now),
        cooling: this.cooldownUntil > now ? this.cooldownKind : null,
        totals: this.window.read(now),
        consecutiveFailures: this.consecutiveFailures,
      },
      this.healthPolicy,
    );
  }

  snapshot(): TrackedProviderSnapshot {
    return {
      provider: this.name,
      capability: this.capability,
      breaker: this.breaker.snapshot(),
      cooldownUntil: this.cooldownUntil > 0 ? this.cooldownUntil : null,
      cooldownKind: this.cooldownKind,
      emaMs: this.emaMs,
      successCount: this.successCount,
      failureCount: this.failureCount,
      consecutiveFailures: this.consecutiveFailures,
      lastSuccessAt: this.lastSuccessAt,
      lastFailureAt: this.lastFailureAt,
      lastCheckedAt: this.lastCheckedAt,
      lastError: this.lastError,
    };
  }

  restore(s: TrackedProviderSnapshot): void {
    this.breaker.restore(s.breaker);
    this.cooldownUntil = s.cooldownUntil ?? 0;
    this.cooldownKind = s.cooldownKind;
    this.emaMs = s.emaMs;
    this.successCount = s.successCount;
    this.failureCount = s.failureCount;
    this.consecutiveFailures = s.consecutiveFailures;
    this.lastSuccessAt = s.lastSuccessAt;
    this.lastFailureAt = s.lastFailureAt;
    this.lastCheckedAt = s.lastCheckedAt;
    this.lastError = s.lastError;
    this.checkHealth('restored from store');
  }

  private localReject(code: ErrorCode, message: string, retryAfterMs: number | undefined): AttemptResult<never> {
    const opts: ConstructorParameters<typeof GatewayError>[2] = { provider: this.name, capability: this.capability };
    if (retryAfterMs !== undefined) opts.retryAfterMs = retryAfterMs;
    return { ok: false, error: new GatewayError(code, message, opts), latencyMs: 0, local: true };
  }

  private raceDeadline<T>(p: Promise<T>, deadline: number, controller: AbortController): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry = this.deadlines.add(deadline, () => {
        controller.abort(deadlineReason());
        reject(DEADLINE);
      });
      p.then(
        (v) => {
          entry.done();
          resolve(v);
        },
        (e: unknown) => {
          entry.done();
          reject(e);
        },
      );
    });
  }

  /** The engine's deadline fired: a side-effecting call to a provider that cannot deduplicate may have landed. */
  private deadlineError(): GatewayError {
    const opts = { provider: this.name, capability: this.capability };
    return this.sideEffects && !this.deduplicates
      ? new GatewayError('GW_UNKNOWN_OUTCOME', 'attempt deadline passed while the request may have been sent', opts)
      : new GatewayError('GW_PROVIDER_TIMEOUT', 'attempt deadline passed before the provider answered', opts);
  }

  private recordSuccess(latencyMs: number, verdict: PermitVerdict, generation: number, now = this.clock.now()): void {
    const slow = latencyMs >= this.breakerPolicy.slowCallMs;
    this.successCount++;
    this.consecutiveFailures = 0;
    this.lastSuccessAt = now;
    this.window.record(now, false, latencyMs, slow);
    this.emaMs = this.emaMs === null ? latencyMs : this.emaMs + this.healthPolicy.emaAlpha * (latencyMs - this.emaMs);
    this.breaker.onSuccess(verdict, generation, now);
    if (slow && verdict === 'closed') this.breaker.onFailure('closed', generation, now, this.slowTrip(now));
    if (this.cooldownUntil !== 0 && now >= this.cooldownUntil) {
      this.cooldownUntil = 0;
      this.cooldownKind = null;
    }
    // A fast success of a HEALTHY, closed provider can only improve its rates: health stays as cached.
    if (slow || verdict !== 'closed' || this.lastHealth !== ProviderHealth.HEALTHY || this.breaker.state !== 'closed') this.checkHealth('call succeeded', now);
  }

  private recordFailure(error: GatewayError, latencyMs: number, verdict: PermitVerdict, generation: number): void {
    const now = this.clock.now();
    const kind = error.kind;
    if (kind === 'invalid_request' || kind === 'rejected_local' || kind === 'not_configured') {
      this.breaker.release(verdict, generation); // never counts against the provider
      return;
    }
    this.lastError = { code: error.code, kind, message: error.message, at: now };
    this.lastFailureAt = now;
    if (kind === 'rate_limited' || kind === 'quota') {
      const fallback = kind === 'quota' ? this.cooldownPolicy.quotaMs : this.cooldownPolicy.rateLimitedMs;
      const ms = Math.min(this.cooldownPolicy.maxMs, error.retryAfterMs ?? fallback);
      this.cooldownUntil = Math.max(this.cooldownUntil, now + ms);
      this.cooldownKind = kind;
      // The provider answered: a call, not a failure. After the cool-down it ranks on its record, not as UNKNOWN.
      this.window.record(now, false, latencyMs, false);
      this.breaker.release(verdict, generation); // a cool-down, not an outage
      this.checkHealth(`${kind} until ${new Date(this.cooldownUntil).toISOString()}`);
      return;
    }
    this.failureCount++;
    this.consecutiveFailures++;
    this.window.record(now, true, latencyMs, latencyMs >= this.breakerPolicy.slowCallMs);
    if (kind === 'auth') {
      if (generation === this.breaker.generation || verdict === 'closed') this.breaker.tripFor(now, this.breakerPolicy.authOpenMs, 'credentials refused');
    } else {
      this.breaker.onFailure(verdict, generation, now, this.failureTrip(now));
    }
    this.checkHealth(`${kind}: ${error.code}`);
  }

  private failureTrip(now: number): string | null {
    const p = this.breakerPolicy;
    if (this.consecutiveFailures >= p.consecutiveFailures) return `${this.consecutiveFailures} consecutive failures`;
    const t = this.window.read(now);
    if (t.calls >= p.minimumCalls && t.failures / t.calls >= p.failureRateThreshold) {
      return `failure rate ${Math.round((100 * t.failures) / t.calls)}% over ${t.calls} calls`;
    }
    return this.slowTrip(now);
  }

  private slowTrip(now: number): string | null {
    const p = this.breakerPolicy;
    const t = this.window.read(now);
    if (t.calls >= p.minimumCalls && t.slow / t.calls >= p.slowCallRateThreshold) {
      return `slow-call rate ${Math.round((100 * t.slow) / t.calls)}% above ${p.slowCallMs} ms`;
    }
    return null;
  }

  private checkHealth(cause: string, now = this.clock.now()): void {
    this.invalidate();
    const { health, reason } = this.healthAt(now);
    if (health === this.lastHealth) return;
    const from = this.lastHealth;
    this.lastHealth = health;
    this.logger.info({ provider: this.name, capability: this.capability, from, to: health, reason, cause }, 'provider health changed');
    if (this.healthEvents.hasListeners) {
      this.healthEvents.emit({ provider: this.name, capability: this.capability, from, to: health, reason: `${reason} (${cause})`, at: now });
    }
  }
}

