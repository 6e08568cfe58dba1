/**
 * What the engine knows about one provider: its breaker, its call record, its cool-down and
 * the fault holding it, and the health derived from them. Outcomes of real calls and of probes
 * are recorded here; TrackedProvider makes the calls. Real traffic has the last word: a passing
 * probe lets the next real call decide, it does not erase what real calls saw.
 */
import { CircuitBreaker, type PermitVerdict } from './breaker.js';
import { CallRecord } from './call-record.js';
import type { Clock } from './clock.js';
import type { FailureKind, GatewayError } from './errors.js';
import { Emitter, type Disposer } from './events.js';
import { deriveHealth } from './health-rules.js';
import { ProviderHealth } from './health.js';
import { silentLogger, type Logger } from './logger.js';
import type { BreakerPolicy, CooldownPolicy, HealthPolicy } from './policy.js';
import type { ProbeResult } from './provider.js';
import type { BreakerChangeEvent, HealthChangeEvent, TrackedProviderSnapshot, Unavailable } from './tracked-provider-types.js';

/** The permit one attempt holds: the breaker's verdict and generation, and whether it is a recovery trial. */
export interface Permit {
  verdict: PermitVerdict;
  generation: number;
  trial: boolean;
}

export interface ProviderHealthStateOptions {
  name: string;
  capability: string;
  configured: boolean;
  missingSetting: string | undefined;
  /** The probe exercises the same operation as real calls (it may decide alone). */
  probeMatchesTraffic: boolean;
  clock: Clock;
  breaker: BreakerPolicy;
  health: HealthPolicy;
  cooldown: CooldownPolicy;
  random?: (() => number) | undefined;
  logger?: Logger | undefined;
}

export class ProviderHealthState {
  readonly breaker: CircuitBreaker;
  readonly calls: CallRecord;
  cooldownUntil = 0;
  cooldownKind: FailureKind | null = null;
  /** Set while the circuit is held open by a provider-side fault waiting is no cure for (auth, misconfigured). */
  private heldBy: FailureKind | null = null;
  private lastTrialAt = Number.NEGATIVE_INFINITY;
  private lastPanicTrialAt = Number.NEGATIVE_INFINITY;
  private lastHealth: ProviderHealth;
  private readonly logger: Logger;

  private readonly healthEvents = new Emitter<HealthChangeEvent>();
  private readonly breakerEvents = new Emitter<BreakerChangeEvent>();
  readonly onHealthChange: (listener: (e: HealthChangeEvent) => void) => Disposer = this.healthEvents.on;
  readonly onBreakerStateChange: (listener: (e: BreakerChangeEvent) => void) => Disposer = this.breakerEvents.on;

  constructor(private readonly o: ProviderHealthStateOptions) {
    this.logger = o.logger ?? silentLogger;
    this.calls = new CallRecord(o.health, o.breaker.slowCallMs);
    this.breaker = new CircuitBreaker(o.breaker, o.random, (from, to, reason) => {
      if (to === 'closed' || to === 'forced_closed') this.heldBy = null;
      this.breakerEvents.emit({ provider: o.name, capability: o.capability, from, to, reason, at: o.clock.now() });
    });
    this.lastHealth = this.healthAt(o.clock.now()).health;
  }

  healthAt(now: number): { health: ProviderHealth; reason: string } {
    return deriveHealth(
      {
        configured: this.o.configured,
        breakerState: this.breaker.stateAt(now),
        openReason: this.breaker.openReason,
        cooling: this.cooldownUntil > now ? this.cooldownKind : null,
        totals: this.calls.totals(now),
        consecutiveFailures: this.calls.consecutiveFailures,
      },
      this.o.health,
    );
  }

  /** Null when the provider may be called now; otherwise why not. */
  unavailable(now: number): Unavailable | null {
    if (!this.o.configured)
      return { code: 'GW_NOT_CONFIGURED', reason: `not configured: ${this.o.missingSetting ?? 'missing settings'}`, until: null };
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

  /** The end of a rate-limit cool-down the provider announced (it is busy until then, not failing); null otherwise. */
  rateLimitedUntil(now: number): number | null {
    return this.cooldownKind === 'rate_limited' && this.cooldownUntil > now ? this.cooldownUntil : null;
  }

  /**
   * Due for a recovery trial: a half-open circuit with a free permit, or a closed provider held
   * down only by failures (or slow calls) older than the trial interval. Ordering gives it its configured place
   * for that call, so a recovered primary serves again without waiting for its failures to age out.
   */
  trialDue(now: number): boolean {
    if (this.unavailable(now) !== null) return false;
    if (this.breaker.stateAt(now) === 'half_open') return true;
    const lastTrouble = this.calls.lastTroubleAt;
    if (this.breaker.state !== 'closed' || lastTrouble === null || this.healthAt(now).health === ProviderHealth.HEALTHY) return false;
    const interval = this.o.breaker.trialIntervalMs;
    return now - lastTrouble >= interval && now - this.lastTrialAt >= interval;
  }

  /**
   * May the panic rule try this provider now? Only an open circuit from transient failures:
   * never during a provider-announced wait or a held fault, one call in flight, one per interval.
   */
  panicTrialAllowed(now: number): boolean {
    return (
      this.o.configured &&
      this.breaker.state === 'open' &&
      this.heldBy === null &&
      this.cooldownUntil <= now &&
      now - this.lastPanicTrialAt >= this.o.breaker.trialIntervalMs
    );
  }

  /** Takes the breaker's permit for one call; when the breaker refuses, its verdict instead. */
  acquire(now: number, panicTrial: boolean): Permit | PermitVerdict {
    const verdict = panicTrial ? this.breaker.acquireTrial(now) : this.breaker.acquire(now);
    if (verdict !== 'closed' && verdict !== 'half_open') return verdict;
    if (panicTrial) this.lastPanicTrialAt = now;
    const permit: Permit = { verdict, generation: this.breaker.generation, trial: verdict === 'closed' && this.trialDue(now) };
    if (permit.trial) this.lastTrialAt = now;
    return permit;
  }

  /** Gives a permit back without a verdict (the call never happened, or it was cancelled). */
  release(permit: Permit): void {
    this.breaker.release(permit.verdict, permit.generation);
  }

  recordSuccess(latencyMs: number, permit: Permit, now: number): void {
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

  recordFailure(error: GatewayError, latencyMs: number, permit: Permit, fromTraffic: boolean, now: number): void {
    const kind = error.kind;
    if (kind === 'invalid_request' || kind === 'rejected_local' || kind === 'not_configured') {
      this.release(permit); // never counts against the provider
      return;
    }
    if (kind === 'rate_limited' || kind === 'quota') {
      // The provider answered and announced when to come back: a cool-down, not an outage.
      const c = this.o.cooldown;
      const ms = Math.min(c.maxMs, error.retryAfterMs ?? (kind === 'quota' ? c.quotaMs : c.rateLimitedMs));
      this.cooldownUntil = Math.max(this.cooldownUntil, now + ms);
      this.cooldownKind = kind;
      this.calls.throttled(now, latencyMs, error);
      this.release(permit);
      this.checkHealth(`${kind} until ${new Date(this.cooldownUntil).toISOString()}`, now);
      return;
    }
    this.calls.failure(now, latencyMs, error, fromTraffic);
    if (kind === 'auth' || kind === 'misconfigured') {
      if (permit.generation === this.breaker.generation || permit.verdict === 'closed') {
        this.breaker.tripFor(now, this.o.breaker.authOpenMs, kind === 'auth' ? 'credentials refused' : 'provider misconfigured');
        if (this.breaker.state === 'open') this.heldBy = kind;
      }
    } else {
      this.breaker.onFailure(permit.verdict, permit.generation, now, this.failureTrip(now));
    }
    this.checkHealth(`${kind}: ${error.code}`, now);
  }

  /**
   * A passing probe readmits: an open circuit goes half-open and a balance above zero ends a
   * quota cool-down. It decides (closes the circuit, ends the failure streak) only when no real
   * call failed in this episode, or when the probe exercises the same operation as real calls.
   */
  probePassed(res: ProbeResult | undefined, latencyMs: number, now: number): void {
    this.calls.lastCheckedAt = now;
    if (res?.quotaAvailable === true && this.cooldownKind === 'quota' && this.cooldownUntil > now) this.endCooldown();
    const decides = !this.calls.trafficFailing || this.o.probeMatchesTraffic;
    this.breaker.probeSucceeded(now, decides);
    if (decides) this.calls.success(now, latencyMs);
    this.checkHealth(decides ? 'probe passed' : 'probe passed: the next real call decides', now);
  }

  probeFailed(error: GatewayError, latencyMs: number, now: number): void {
    this.calls.lastCheckedAt = now;
    this.recordFailure(error, latencyMs, { verdict: 'closed', generation: this.breaker.generation, trial: false }, false, now);
  }

  isolate(now: number): void {
    this.breaker.isolate(now);
    this.checkHealth('isolated by operator', now);
  }

  forceClosed(now: number): void {
    this.breaker.forceClosed(now);
    this.checkHealth('forced closed by operator', now);
  }

  /** Back to a fresh closed state: counters, window, cool-down and breaker cleared. */
  reset(now: number): void {
    this.breaker.reset(now);
    this.calls.reset();
    this.endCooldown();
    this.heldBy = null;
    this.checkHealth('reset by operator', now);
  }

  snapshot(): Omit<TrackedProviderSnapshot, 'provider' | 'capability'> {
    return {
      breaker: this.breaker.snapshot(),
      cooldownUntil: this.cooldownUntil > 0 ? this.cooldownUntil : null,
      cooldownKind: this.cooldownKind,
      heldBy: this.heldBy,
      ...this.calls.snapshot(),
    };
  }

  restore(s: TrackedProviderSnapshot, now: number): void {
    this.breaker.restore(s.breaker);
    this.cooldownUntil = s.cooldownUntil ?? 0;
    this.cooldownKind = s.cooldownKind;
    this.heldBy = s.heldBy ?? null;
    this.calls.restore(s);
    this.checkHealth('restored from store', now);
  }

  /** Emits a health change when the derived health moved (time alone can move it: open -> half-open, a cool-down ending). */
  checkHealth(cause: string, now: number): void {
    const { health, reason } = this.healthAt(now);
    if (health === this.lastHealth) return;
    const from = this.lastHealth;
    this.lastHealth = health;
    const { name: provider, capability } = this.o;
    this.logger.info({ provider, capability, from, to: health, reason, cause }, 'provider health changed');
    this.healthEvents.emit({ provider, capability, from, to: health, reason: `${reason} (${cause})`, at: now });
  }

  private endCooldown(): void {
    this.cooldownUntil = 0;
    this.cooldownKind = null;
  }

  private failureTrip(now: number): string | null {
    const p = this.o.breaker;
    const failures = this.calls.consecutiveFailures;
    if (failures >= p.consecutiveFailures) return `${failures} consecutive failures`;
    const t = this.calls.totals(now);
    if (t.calls >= p.minimumCalls && t.failures / t.calls >= p.failureRateThreshold) {
      return `failure rate ${Math.round((100 * t.failures) / t.calls)}% over ${t.calls} calls`;
    }
    return this.slowTrip(now);
  }

  private slowTrip(now: number): string | null {
    const p = this.o.breaker;
    const t = this.calls.totals(now);
    if (t.calls >= p.minimumCalls && t.slow / t.calls >= p.slowCallRateThreshold) {
      return `slow-call rate ${Math.round((100 * t.slow) / t.calls)}% above ${p.slowCallMs} ms`;
    }
    return null;
  }
}
