/**
 * One provider with its breaker, call record, cool-down and limits. Every attempt's outcome is
 * recorded here exactly once, from live traffic and from probes alike. Real traffic has the
 * last word: a passing probe lets the next real call decide, it does not erase what real calls saw.
 */
import { runAttempt } from './attempt.js';
import { CircuitBreaker, type PermitVerdict } from './breaker.js';
import { CallRecord } from './call-record.js';
import type { Clock } from './clock.js';
import { GatewayError, toGatewayError, type ErrorCode, type FailureKind } from './errors.js';
import { Emitter, type Disposer } from './events.js';
import { deriveHealth } from './health-rules.js';
import { ProviderHealth, ProviderStatus } from './health.js';
import { ConcurrencyLimiter, TokenBucket, type RateLimiter } from './limits.js';
import { silentLogger, type Logger } from './logger.js';
import type { BreakerPolicy, CooldownPolicy, HealthPolicy, ProviderLimits } from './policy.js';
import type { ProbeResult, Provider } from './provider.js';
import { providerStatusJSON } from './provider-status.js';
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

/** The permit one attempt holds: the breaker's verdict and generation, and whether it is a recovery trial. */
interface Permit {
  verdict: PermitVerdict;
  generation: number;
  trial: boolean;
}

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
  private readonly breakerPolicy: BreakerPolicy;
  private readonly healthPolicy: HealthPolicy;
  private readonly cooldownPolicy: CooldownPolicy;
  private readonly sideEffects: boolean;
  private readonly logger: Logger;
  private readonly breaker: CircuitBreaker;
  private readonly calls: CallRecord;
  private readonly rate: RateLimiter | null;
  private readonly concurrency: ConcurrencyLimiter | null;

  private cooldownUntil = 0;
  private cooldownKind: FailureKind | null = null;
  /** Set while the circuit is held open by a provider-side fault waiting is no cure for (auth, misconfigured). */
  private heldBy: FailureKind | null = null;
  private inFlight = 0;
  private lastTrialAt = Number.NEGATIVE_INFINITY;
  private lastPanicTrialAt = Number.NEGATIVE_INFINITY;
  private lastHealth: ProviderHealth;

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
    this.breakerPolicy = options.breaker;
    this.healthPolicy = options.health;
    this.cooldownPolicy = options.cooldown;
    this.logger = options.logger ?? silentLogger;
    this.calls = new CallRecord(options.health, options.breaker.slowCallMs);
    this.breaker = new CircuitBreaker(options.breaker, options.random, (from, to, reason) => {
      if (to === 'closed' || to === 'forced_closed') this.heldBy = null;
      this.breakerEvents.emit({ provider: this.name, capability: this.capability, from, to, reason, at: this.clock.now() });
    });
    const { ratePerSecond, burst, concurrency, queue } = options.limits;
    this.rate = options.rateLimiter ?? (ratePerSecond > 0 ? new TokenBucket(ratePerSecond, Math.max(1, burst), this.clock.now()) : null);
    this.concurrency = concurrency > 0 ? new ConcurrencyLimiter(concurrency, queue, this.clock) : null;
    this.lastHealth = this.health;
  }

  /** The configured slow-call threshold (the slow rule of the recommendations uses it too). */
  get slowCallMs(): number {
    return this.breakerPolicy.slowCallMs;
  }

  /** The adapter deduplicates by idempotency key (safe to fail over after unknown_outcome). */
  get deduplicates(): boolean {
    return this.adapter.deduplicates === true;
  }

  get health(): ProviderHealth {
    return this.healthAt(this.clock.now()).health;
  }

  /** EMA latency for ordering (null before the first call). */
  get latencyEma(): number | null {
    return this.calls.emaMs;
  }

  healthAt(now: number): { health: ProviderHealth; reason: string } {
    return deriveHealth(
      {
        configured: this.configured,
        breakerState: this.breaker.stateAt(now),
        openReason: this.breaker.openReason,
        cooling: this.cooldownUntil > now ? this.cooldownKind : null,
        totals: this.calls.totals(now),
        consecutiveFailures: this.calls.consecutiveFailures,
      },
      this.healthPolicy,
    );
  }

  /** Null when the provider may be called now; otherwise why not. */
  unavailable(now: number): Unavailable | null {
    if (!this.configured) return { code: 'GW_NOT_CONFIGURED', reason: `not configured: ${this.missingSetting ?? 'missing settings'}`, until: null };
    const state = this.breaker.state;
    if (state === 'isolated') return { code: 'GW_CIRCUIT_OPEN', reason: 'isolated by operator', until: null };
    if (state !== 'forced_closed' && this.cooldownUntil > now) {
      return { code: 'GW_COOLING_DOWN', reason: `cooling down after ${this.cooldownKind}`, until: this.cooldownUntil };
    }
    if (this.breaker.admits(now)) return null;
    const until = this.breaker.openUntil;
    return until !== null
      ? { code: 'GW_CIRCUIT_OPEN', reason: `circuit open (${this.breaker.openReason ?? 'failures'})`, until }
      : { code: 'GW_HALF_OPEN_BUSY', reason: 'half-open call in flight', until: null };
  }

  /** When the provider becomes usable again (for GW_NO_USABLE_PROVIDER), or null if unknown. */
  availableAt(now: number): number | null {
    const u = this.unavailable(now);
    return u ? u.until : now;
  }

  /**
   * Due for a recovery trial: a half-open circuit with a free permit, or a closed provider held
   * down only by failures older than the trial interval. Ordering gives it its configured place
   * for that call, so a recovered primary serves again without waiting for its failures to age out.
   */
  trialDue(now: number): boolean {
    if (this.unavailable(now) !== null) return false;
    if (this.breaker.stateAt(now) === 'half_open') return true;
    const lastFailure = this.calls.lastFailureAt;
    if (this.breaker.state !== 'closed' || lastFailure === null || this.healthAt(now).health === ProviderHealth.HEALTHY) return false;
    const interval = this.breakerPolicy.trialIntervalMs;
    return now - lastFailure >= interval && now - this.lastTrialAt >= interval;
  }

  /**
   * May the panic rule try this provider now? Only an open circuit from transient failures:
   * never during a provider-announced wait or a held fault, one call in flight, one per interval.
   */
  panicTrialAllowed(now: number): boolean {
    return (
      this.configured &&
      this.breaker.state === 'open' &&
      this.heldBy === null &&
      this.cooldownUntil <= now &&
      now - this.lastPanicTrialAt >= this.breakerPolicy.trialIntervalMs
    );
  }

  /** Runs one attempt: permits, the adapter call under its signal and deadline, and one recording of the outcome. */
  async execute<T = unknown>(request: unknown, opts: AttemptOptions): Promise<AttemptResult<T>> {
    const began = this.clock.now();
    const verdict = opts.panicTrial ? this.breaker.acquireTrial(began) : this.breaker.acquire(began);
    if (verdict !== 'closed' && verdict !== 'half_open') {
      return this.localReject(verdict === 'half_open_busy' ? 'GW_HALF_OPEN_BUSY' : 'GW_CIRCUIT_OPEN', `circuit ${verdict.replace('_', '-')}`);
    }
    if (opts.panicTrial) this.lastPanicTrialAt = began;
    const permit: Permit = { verdict, generation: this.breaker.generation, trial: verdict === 'closed' && this.trialDue(began) };
    if (permit.trial) this.lastTrialAt = began;
    const wait = this.rate?.tryTake(began) ?? 0;
    if (wait > 0) {
      this.breaker.release(permit.verdict, permit.generation);
      return this.localReject('GW_LOCAL_RATE_LIMIT', `local rate limit of ${this.limits.ratePerSecond}/s reached`, wait);
    }
    if (!this.concurrency) return this.call<T>(request, opts, permit);
    if (!(await this.concurrency.acquire(opts.deadline - began))) {
      this.breaker.release(permit.verdict, permit.generation);
      return this.localReject('GW_CONCURRENCY_LIMIT', `concurrency limit of ${this.limits.concurrency} reached`);
    }
    try {
      return await this.call<T>(request, opts, permit);
    } finally {
      this.concurrency.release();
    }
  }

  private async call<T>(request: unknown, opts: AttemptOptions, permit: Permit): Promise<AttemptResult<T>> {
    const began = this.clock.now();
    const timeout = permit.verdict === 'half_open' ? Math.min(this.limits.attemptTimeoutMs, this.breakerPolicy.halfOpenTimeoutMs) : this.limits.attemptTimeoutMs;
    const deadline = Math.min(opts.deadline, began + timeout);
    const { idempotencyKey, attempt, logger } = opts;
    this.inFlight++;
    const outcome = await runAttempt({
      run: (signal) => this.adapter.invoke(request, { signal, idempotencyKey, deadline, attempt, logger, capability: this.capability, provider: this.name }),
      clock: this.clock,
      deadline,
      graceMs: this.limits.abortGraceMs,
      cancel: opts.cancel,
    });
    this.inFlight--;
    const end = this.clock.now();
    const latencyMs = end - began;
    if (outcome.ok) {
      this.recordSuccess(latencyMs, permit, end);
      return { ok: true, value: outcome.value as T, latencyMs, endedAt: end };
    }
    if (outcome.cancelled) {
      this.breaker.release(permit.verdict, permit.generation);
      return this.localReject('GW_CANCELLED', 'cancelled: a hedged attempt won');
    }
    const error = outcome.expired ? this.silenceError() : toGatewayError(outcome.thrown, this.name, this.capability);
    this.recordFailure(error, latencyMs, permit, true);
    return { ok: false, error, latencyMs, local: false, endedAt: end };
  }

  /** Runs the adapter's probe with its own timeout and feeds the outcome into health. Never throws. */
  async probe(timeoutMs = 10_000): Promise<ProbeOutcome> {
    const at = this.clock.now();
    const base = { provider: this.name, capability: this.capability, at };
    if (!this.configured) return { ...base, ok: false, skipped: 'not_configured', latencyMs: 0 };
    const probeFn = this.adapter.probe?.bind(this.adapter);
    if (!probeFn) return { ...base, ok: false, skipped: 'no_probe', latencyMs: 0 };
    const deadline = at + timeoutMs;
    const outcome = await runAttempt({ run: (signal) => probeFn({ signal, deadline, provider: this.name, logger: this.logger }), clock: this.clock, deadline, graceMs: 0 });
    const now = this.clock.now();
    const latencyMs = now - at;
    this.calls.lastCheckedAt = now;
    if (outcome.ok) {
      const res = (outcome.value ?? undefined) as ProbeResult | undefined;
      this.probePassed(res, latencyMs, now);
      const out: ProbeOutcome = { ...base, ok: true, latencyMs };
      if (res?.metadata) out.metadata = res.metadata;
      if (res?.warnings?.length) out.warnings = [...res.warnings];
      return out;
    }
    const error = outcome.expired
      ? new GatewayError('GW_PROVIDER_TIMEOUT', `probe did not finish within ${timeoutMs} ms`, { provider: this.name, capability: this.capability })
      : toGatewayError(outcome.thrown, this.name, this.capability);
    this.recordFailure(error, latencyMs, { verdict: 'closed', generation: this.breaker.generation, trial: false }, false);
    const e: NonNullable<ProbeOutcome['error']> = { code: error.code, kind: error.kind, message: error.message };
    if (error.retryAfterMs !== undefined) e.retryAfterMs = error.retryAfterMs;
    return { ...base, ok: false, latencyMs, error: e };
  }

  /**
   * A passing probe readmits: an open circuit goes half-open and a balance above zero ends a
   * quota cool-down. It decides (closes the circuit, ends the failure streak) only when no real
   * call failed in this episode, or when the probe exercises the same operation as real calls.
   */
  private probePassed(res: ProbeResult | undefined, latencyMs: number, now: number): void {
    if (res?.quotaAvailable === true && this.cooldownKind === 'quota' && this.cooldownUntil > now) this.endCooldown();
    const decides = !this.calls.trafficFailing || this.adapter.probeMatchesTraffic === true;
    this.breaker.probeSucceeded(now, decides);
    if (decides) this.calls.success(now, latencyMs);
    this.checkHealth(decides ? 'probe passed' : 'probe passed: the next real call decides', now);
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
    this.calls.reset();
    this.endCooldown();
    this.heldBy = null;
    this.checkHealth('reset by operator');
  }

  status(): ProviderStatus {
    this.checkHealth('time passed'); // open -> half-open and cool-down expiry happen with time
    const now = this.clock.now();
    const breakerState = this.breaker.stateAt(now);
    const cooling = this.cooldownUntil > now;
    return new ProviderStatus(
      providerStatusJSON(this, this.calls, now, {
        ...this.healthAt(now),
        breakerState,
        openUntil: breakerState === 'open' ? this.breaker.openUntil : null,
        reopenCount: this.breaker.reopenCount,
        cooldownUntil: cooling ? this.cooldownUntil : null,
        cooldownKind: cooling ? this.cooldownKind : null,
        inFlight: this.inFlight,
      }),
    );
  }

  snapshot(): TrackedProviderSnapshot {
    return {
      provider: this.name,
      capability: this.capability,
      breaker: this.breaker.snapshot(),
      cooldownUntil: this.cooldownUntil > 0 ? this.cooldownUntil : null,
      cooldownKind: this.cooldownKind,
      heldBy: this.heldBy,
      ...this.calls.snapshot(),
    };
  }

  restore(s: TrackedProviderSnapshot): void {
    this.breaker.restore(s.breaker);
    this.cooldownUntil = s.cooldownUntil ?? 0;
    this.cooldownKind = s.cooldownKind;
    this.heldBy = s.heldBy ?? null;
    this.calls.restore(s);
    this.checkHealth('restored from store');
  }

  private localReject(code: ErrorCode, message: string, retryAfterMs?: number): AttemptResult<never> {
    const opts: ConstructorParameters<typeof GatewayError>[2] = { provider: this.name, capability: this.capability };
    if (retryAfterMs !== undefined) opts.retryAfterMs = retryAfterMs;
    return { ok: false, error: new GatewayError(code, message, opts), latencyMs: 0, local: true };
  }

  /**
   * The adapter gave no verdict by the deadline plus its grace: a side-effecting call to a
   * provider that cannot deduplicate may have landed.
   */
  private silenceError(): GatewayError {
    const opts = { provider: this.name, capability: this.capability };
    return this.sideEffects && !this.deduplicates
      ? new GatewayError('GW_UNKNOWN_OUTCOME', 'attempt deadline passed while the request may have been sent', opts)
      : new GatewayError('GW_PROVIDER_TIMEOUT', 'attempt deadline passed before the provider answered', opts);
  }

  private endCooldown(): void {
    this.cooldownUntil = 0;
    this.cooldownKind = null;
  }

  private recordSuccess(latencyMs: number, permit: Permit, now: number): void {
    const slow = this.calls.isSlow(latencyMs);
    // A recovery confirmed by a real call ends the episode: its failures no longer hold the provider down.
    const recovered = !slow && (permit.trial || (permit.verdict === 'half_open' && permit.generation === this.breaker.generation));
    if (recovered) this.calls.forgetEpisode();
    this.calls.success(now, latencyMs);
    this.breaker.onSuccess(permit.verdict, permit.generation, now);
    if (slow && permit.verdict === 'closed') this.breaker.onFailure('closed', permit.generation, now, this.slowTrip(now));
    if (this.cooldownUntil !== 0 && now >= this.cooldownUntil) this.endCooldown();
    this.checkHealth(recovered ? 'recovery trial succeeded' : 'call succeeded', now);
  }

  private recordFailure(error: GatewayError, latencyMs: number, permit: Permit, fromTraffic: boolean): void {
    const now = this.clock.now();
    const kind = error.kind;
    if (kind === 'invalid_request' || kind === 'rejected_local' || kind === 'not_configured') {
      this.breaker.release(permit.verdict, permit.generation); // never counts against the provider
      return;
    }
    if (kind === 'rate_limited' || kind === 'quota') {
      // The provider answered and announced when to come back: a cool-down, not an outage.
      const fallback = kind === 'quota' ? this.cooldownPolicy.quotaMs : this.cooldownPolicy.rateLimitedMs;
      const ms = Math.min(this.cooldownPolicy.maxMs, error.retryAfterMs ?? fallback);
      this.cooldownUntil = Math.max(this.cooldownUntil, now + ms);
      this.cooldownKind = kind;
      this.calls.throttled(now, latencyMs, error);
      this.breaker.release(permit.verdict, permit.generation);
      this.checkHealth(`${kind} until ${new Date(this.cooldownUntil).toISOString()}`, now);
      return;
    }
    this.calls.failure(now, latencyMs, error, fromTraffic);
    if (kind === 'auth' || kind === 'misconfigured') {
      if (permit.generation === this.breaker.generation || permit.verdict === 'closed') {
        this.breaker.tripFor(now, this.breakerPolicy.authOpenMs, kind === 'auth' ? 'credentials refused' : 'provider misconfigured');
        if (this.breaker.state === 'open') this.heldBy = kind;
      }
    } else {
      this.breaker.onFailure(permit.verdict, permit.generation, now, this.failureTrip(now));
    }
    this.checkHealth(`${kind}: ${error.code}`, now);
  }

  private failureTrip(now: number): string | null {
    const p = this.breakerPolicy;
    const failures = this.calls.consecutiveFailures;
    if (failures >= p.consecutiveFailures) return `${failures} consecutive failures`;
    const t = this.calls.totals(now);
    if (t.calls >= p.minimumCalls && t.failures / t.calls >= p.failureRateThreshold) {
      return `failure rate ${Math.round((100 * t.failures) / t.calls)}% over ${t.calls} calls`;
    }
    return this.slowTrip(now);
  }

  private slowTrip(now: number): string | null {
    const p = this.breakerPolicy;
    const t = this.calls.totals(now);
    if (t.calls >= p.minimumCalls && t.slow / t.calls >= p.slowCallRateThreshold) {
      return `slow-call rate ${Math.round((100 * t.slow) / t.calls)}% above ${p.slowCallMs} ms`;
    }
    return null;
  }

  private checkHealth(cause: string, now = this.clock.now()): void {
    const { health, reason } = this.healthAt(now);
    if (health === this.lastHealth) return;
    const from = this.lastHealth;
    this.lastHealth = health;
    this.logger.info({ provider: this.name, capability: this.capability, from, to: health, reason, cause }, 'provider health changed');
    this.healthEvents.emit({ provider: this.name, capability: this.capability, from, to: health, reason: `${reason} (${cause})`, at: now });
  }
}
