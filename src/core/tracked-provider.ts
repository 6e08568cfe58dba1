/**
 * One provider as the chain sees it: the adapter, its limits, and what the engine knows about
 * it (ProviderHealthState). `execute` runs one attempt (permits, the adapter call under its own
 * signal and deadline, one recording of the outcome); `probe` runs the adapter's probe.
 */
import { runAttempt } from './attempt.js';
import type { Clock } from './clock.js';
import { GatewayError, toGatewayError, type ErrorCode } from './errors.js';
import type { Disposer } from './events.js';
import { ProviderStatus, type ProviderHealth } from './health.js';
import { silentLogger, type Logger } from './logger.js';
import { Pacer } from './pacer.js';
import type { BreakerPolicy, ProviderLimits } from './policy.js';
import type { Provider, RateLimitState } from './provider.js';
import { ProviderHealthState, type Permit } from './provider-health-state.js';
import { providerStatusJSON } from './provider-status.js';
import { inSpan, SPAN_ATTRIBUTES } from './tracing.js';
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
  readonly optionVariables: Readonly<Record<string, string>>;
  readonly weight: number;
  readonly hints: Readonly<Record<string, string>>;
  readonly limits: ProviderLimits;
  readonly onHealthChange: (listener: (e: HealthChangeEvent) => void) => Disposer;
  readonly onBreakerStateChange: (listener: (e: BreakerChangeEvent) => void) => Disposer;

  private readonly clock: Clock;
  private readonly breakerPolicy: BreakerPolicy;
  private readonly sideEffects: boolean;
  private readonly logger: Logger;
  private readonly state: ProviderHealthState;
  /** Admission at the provider's pace: its rate (declared or learned) and concurrency, with a fair queue. */
  readonly pacer: Pacer;
  private inFlight = 0;
  /** The provider's rate-limit state from its last answer that carried one. */
  private rateLimit: (RateLimitState & { observedAt: number }) | null = null;

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
    this.optionVariables = options.optionVariables ?? {};
    this.weight = options.weight ?? 1;
    this.hints = options.hints ?? {};
    this.limits = options.limits;
    this.clock = options.clock;
    this.breakerPolicy = options.breaker;
    this.logger = options.logger ?? silentLogger;
    this.state = new ProviderHealthState({
      name: this.name,
      capability: this.capability,
      configured: this.configured,
      missingSetting: this.missingSetting,
      probeMatchesTraffic: adapter.probeMatchesTraffic === true,
      clock: this.clock,
      breaker: options.breaker,
      health: options.health,
      cooldown: options.cooldown,
      random: options.random,
      logger: options.logger,
    });
    this.onHealthChange = this.state.onHealthChange;
    this.onBreakerStateChange = this.state.onBreakerStateChange;
    const { ratePerSecond, burst, concurrency, queue } = options.limits;
    this.pacer = new Pacer({ ratePerSecond, burst, concurrency, queue, clock: this.clock, shared: options.rateLimiter });
  }

  /** The configured slow-call threshold (the slow rule of the recommendations uses it too). */
  get slowCallMs(): number {
    return this.breakerPolicy.slowCallMs;
  }

  /** The adapter deduplicates this request (safe to repeat or fail over after unknown_outcome). */
  deduplicates(request: unknown): boolean {
    return this.adapter.deduplicatesRequest ? this.adapter.deduplicatesRequest(request) : this.adapter.deduplicates === true;
  }

  get health(): ProviderHealth {
    return this.state.healthAt(this.clock.now()).health;
  }

  /** EMA latency for ordering (null before the first call). */
  /** Roughly how long a call arriving now would wait for its turn at this provider's pace (0: none). */
  turnWait(now: number): number {
    return this.pacer.turnWait(now);
  }

  get latencyEma(): number | null {
    return this.state.calls.emaMs;
  }

  healthAt(now: number): { health: ProviderHealth; reason: string } {
    return this.state.healthAt(now);
  }

  /** Null when the provider may be called now; otherwise why not. */
  unavailable(now: number): Unavailable | null {
    return this.state.unavailable(now);
  }

  /** When the provider becomes usable again (for GW_NO_USABLE_PROVIDER), or null if unknown. */
  availableAt(now: number): number | null {
    const u = this.state.unavailable(now);
    return u ? u.until : now;
  }

  /** Half-open, or demoted by old failures: ordering gives it its configured place for one call. */
  trialDue(now: number): boolean {
    return this.state.trialDue(now);
  }

  /** The end of a rate-limit cool-down the provider announced, or null. */
  rateLimitedUntil(now: number): number | null {
    return this.state.rateLimitedUntil(now);
  }

  /** The panic rule may try this open circuit now (never during a provider-announced wait). */
  panicTrialAllowed(now: number): boolean {
    return this.state.panicTrialAllowed(now);
  }

  /**
   * Runs one attempt: a turn at the provider's pace (waiting for it when the chain's overflow is
   * `wait` and the turn comes before the latest start), the breaker's permit, the adapter call
   * under its signal and deadline, and one recording of the outcome.
   */
  async execute<T = unknown>(request: unknown, opts: AttemptOptions): Promise<AttemptResult<T>> {
    const latestStart = opts.deadline - (this.latencyEma ?? 0);
    for (;;) {
      const pending = this.pacer.admit({
        wait: opts.waitForTurn === true,
        latestStart,
        notBefore: this.state.rateLimitedUntil(this.clock.now()) ?? 0,
        signal: opts.cancel,
      });
      const admission = pending instanceof Promise ? await pending : pending;
      if (!admission.ok) return this.localReject(admission.code, admission.message, admission.retryAfterMs);
      // While this call waited its turn, another may have learnt that the provider asked to wait.
      const now = this.clock.now();
      const cooling = pending instanceof Promise ? this.state.unavailable(now) : null;
      if (cooling?.code === 'GW_COOLING_DOWN') {
        admission.release();
        const until = cooling.until ?? now;
        if (opts.waitForTurn && this.state.rateLimitedUntil(now) !== null && until < latestStart) continue;
        return this.localReject(cooling.code, cooling.reason, until - now);
      }
      try {
        const permit = this.state.acquire(now, opts.panicTrial === true);
        if (typeof permit === 'string') {
          return this.localReject(
            permit === 'half_open_busy' ? 'GW_HALF_OPEN_BUSY' : 'GW_CIRCUIT_OPEN',
            `circuit ${permit.replace('_', '-')}`,
          );
        }
        return await this.call<T>(request, opts, permit);
      } finally {
        admission.release();
      }
    }
  }

  private async call<T>(request: unknown, opts: AttemptOptions, permit: Permit): Promise<AttemptResult<T>> {
    const began = this.clock.now();
    const timeout =
      permit.verdict === 'half_open'
        ? Math.min(this.limits.attemptTimeoutMs, this.breakerPolicy.halfOpenTimeoutMs)
        : this.limits.attemptTimeoutMs;
    const deadline = Math.min(opts.deadline, began + timeout);
    const { idempotencyKey, acceptedAt, attempt, logger } = opts;
    this.inFlight++;
    const outcome = await runAttempt({
      run: (signal) =>
        this.adapter.invoke(request, {
          signal,
          idempotencyKey,
          acceptedAt,
          deadline,
          attempt,
          logger,
          capability: this.capability,
          provider: this.name,
          reportRateLimit: this.noteRateLimit,
        }),
      clock: this.clock,
      deadline,
      graceMs: this.limits.abortGraceMs,
      cancel: opts.cancel,
    });
    this.inFlight--;
    const end = this.clock.now();
    const latencyMs = end - began;
    if (outcome.ok) {
      this.pacer.noteAccepted(end);
      this.state.recordSuccess(latencyMs, permit, end);
      return { ok: true, value: outcome.value as T, latencyMs, endedAt: end };
    }
    if (outcome.cancelled) {
      this.state.release(permit);
      return this.localReject('GW_CANCELLED', 'cancelled: a hedged attempt won');
    }
    const error = outcome.expired ? this.silenceError(request) : toGatewayError(outcome.thrown, this.name, this.capability);
    if (error.kind === 'rate_limited') this.pacer.noteThrottle(error.retryAfterMs, end, began);
    else if (!outcome.expired && error.kind !== 'unknown_outcome') this.pacer.noteAccepted(end);
    this.state.recordFailure(error, latencyMs, permit, true, end);
    return { ok: false, error, latencyMs, local: false, endedAt: end };
  }

  private readonly noteRateLimit = (state: RateLimitState): void => {
    const now = this.clock.now();
    this.rateLimit = { ...state, observedAt: now };
    this.pacer.noteRateLimit(state, now);
  };

  /** Runs the adapter's probe with its own timeout and feeds the outcome into health. Never throws. */
  probe(timeoutMs = 10_000): Promise<ProbeOutcome> {
    return inSpan(
      `aicmo.probe ${this.name}`,
      () => ({ [SPAN_ATTRIBUTES.capability]: this.capability, [SPAN_ATTRIBUTES.provider]: this.name }),
      () => this.runProbe(timeoutMs),
      (o) =>
        o.ok
          ? { outcome: 'success' }
          : { outcome: o.skipped ? 'skipped' : (o.error?.kind ?? 'transient'), code: o.skipped ?? o.error?.code },
    );
  }

  private async runProbe(timeoutMs: number): Promise<ProbeOutcome> {
    const at = this.clock.now();
    const base = { provider: this.name, capability: this.capability, at };
    if (!this.configured) return { ...base, ok: false, skipped: 'not_configured', latencyMs: 0 };
    const probeFn = this.adapter.probe?.bind(this.adapter);
    if (!probeFn) return { ...base, ok: false, skipped: 'no_probe', latencyMs: 0 };
    const deadline = at + timeoutMs;
    const outcome = await runAttempt({
      run: (signal) => probeFn({ signal, deadline, provider: this.name, logger: this.logger, reportRateLimit: this.noteRateLimit }),
      clock: this.clock,
      deadline,
      graceMs: 0,
    });
    const now = this.clock.now();
    const latencyMs = now - at;
    if (outcome.ok) {
      const res = outcome.value ?? undefined;
      this.state.probePassed(res, latencyMs, now);
      const out: ProbeOutcome = { ...base, ok: true, latencyMs };
      if (res?.metadata) out.metadata = res.metadata;
      if (res?.warnings?.length) out.warnings = [...res.warnings];
      return out;
    }
    const error = outcome.expired
      ? new GatewayError('GW_PROVIDER_TIMEOUT', `probe did not finish within ${timeoutMs} ms`, {
          provider: this.name,
          capability: this.capability,
        })
      : toGatewayError(outcome.thrown, this.name, this.capability);
    this.state.probeFailed(error, latencyMs, now);
    const e: NonNullable<ProbeOutcome['error']> = { code: error.code, kind: error.kind, message: error.message };
    if (error.retryAfterMs !== undefined) e.retryAfterMs = error.retryAfterMs;
    if (typeof error.details?.option === 'string') e.option = error.details.option;
    return { ...base, ok: false, latencyMs, error: e };
  }

  isolate(): void {
    this.state.isolate(this.clock.now());
  }

  forceClosed(): void {
    this.state.forceClosed(this.clock.now());
  }

  /** Back to a fresh closed state: counters, window, cool-down and breaker cleared. */
  reset(): void {
    this.state.reset(this.clock.now());
  }

  status(): ProviderStatus {
    const now = this.clock.now();
    this.state.checkHealth('time passed', now); // open -> half-open and cool-down expiry happen with time
    const { breaker, cooldownUntil, cooldownKind } = this.state;
    const breakerState = breaker.stateAt(now);
    const cooling = cooldownUntil > now;
    return new ProviderStatus(
      providerStatusJSON(this, this.state.calls, now, {
        ...this.state.healthAt(now),
        breakerState,
        openUntil: breakerState === 'open' ? breaker.openUntil : null,
        reopenCount: breaker.reopenCount,
        cooldownUntil: cooling ? cooldownUntil : null,
        cooldownKind: cooling ? cooldownKind : null,
        inFlight: this.inFlight,
        rateLimit: this.rateLimit,
        pace: { ratePerSecond: roundRate(this.pacer.rateNow(now)), waiting: this.pacer.waiting },
      }),
    );
  }

  snapshot(): TrackedProviderSnapshot {
    return { provider: this.name, capability: this.capability, ...this.state.snapshot() };
  }

  restore(s: TrackedProviderSnapshot): void {
    this.state.restore(s, this.clock.now());
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
  private silenceError(request: unknown): GatewayError {
    const opts = { provider: this.name, capability: this.capability };
    return this.sideEffects && !this.deduplicates(request)
      ? new GatewayError('GW_UNKNOWN_OUTCOME', 'attempt deadline passed while the request may have been sent', opts)
      : new GatewayError('GW_PROVIDER_TIMEOUT', 'attempt deadline passed before the provider answered', opts);
  }
}

function roundRate(rate: number | null): number | null {
  return rate === null ? null : Math.round(rate * 100) / 100;
}
