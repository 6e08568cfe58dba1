/**
 * ProviderChain: the ordered providers of one capability and the policy that routes between
 * them. One invocation lists candidates (healthy first), skips unusable ones with a recorded
 * reason, attempts each within the deadline and the retry budget, fails over by the kinds
 * table, and applies the panic rule when nobody is usable.
 */
import { newIdempotencyKey } from './keys.js';
import { RetryBudget } from './budget.js';
import type { Clock } from './clock.js';
import { failsOver, GatewayError, type ErrorCode, type FailureKind } from './errors.js';
import { Emitter, type Disposer } from './events.js';
import type { ProviderStatusJSON } from './health.js';
import { hedgedAttempt } from './hedge.js';
import { AllProvidersFailedError, InvocationError, summaryKind, type AttemptRecord, type InvokeOptions, type InvokeResult } from './invocation.js';
import { silentLogger, type Logger } from './logger.js';
import { orderProviders, type OrderingState } from './ordering.js';
import type { ChainPolicy, OrderingStrategy, PanicRule } from './policy.js';
import type { AttemptResult, BreakerChangeEvent, HealthChangeEvent, TrackedProvider, TrackedProviderSnapshot } from './tracked-provider.js';

export interface ChainOptions {
  capability: string;
  sideEffects: boolean;
  providers: readonly TrackedProvider[];
  policy: ChainPolicy;
  clock: Clock;
  logger?: Logger;
  random?: () => number;
}

export interface AttemptEvent {
  capability: string;
  provider: string;
  idempotencyKey: string;
  outcome: AttemptRecord['outcome'];
  code?: ErrorCode;
  latencyMs: number;
}

export interface FailoverEvent {
  capability: string;
  from: string;
  kind: FailureKind;
  code: ErrorCode;
  idempotencyKey: string;
}

export interface ExhaustedEvent {
  capability: string;
  idempotencyKey: string;
  attempts: AttemptRecord[];
  code: ErrorCode;
}

export interface ChainStatusReport {
  capability: string;
  sideEffects: boolean;
  strategy: OrderingStrategy;
  panic: PanicRule;
  /** Providers that could be called right now. */
  usableProviders: number;
  providers: ProviderStatusJSON[];
}

export interface ChainSnapshot {
  capability: string;
  providers: TrackedProviderSnapshot[];
}

export class ProviderChain {
  readonly capability: string;
  readonly sideEffects: boolean;
  readonly providers: readonly TrackedProvider[];
  readonly policy: ChainPolicy;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly budget: RetryBudget;
  private readonly ordering: OrderingState;
  private readonly random: () => number;

  private readonly attemptEvents = new Emitter<AttemptEvent>();
  private readonly failoverEvents = new Emitter<FailoverEvent>();
  private readonly exhaustedEvents = new Emitter<ExhaustedEvent>();
  readonly onAttempt: (l: (e: AttemptEvent) => void) => Disposer = this.attemptEvents.on;
  readonly onFailover: (l: (e: FailoverEvent) => void) => Disposer = this.failoverEvents.on;
  readonly onExhausted: (l: (e: ExhaustedEvent) => void) => Disposer = this.exhaustedEvents.on;

  constructor(options: ChainOptions) {
    if (options.providers.length === 0) throw new RangeError(`chain ${options.capability} needs at least one provider`);
    this.capability = options.capability;
    this.sideEffects = options.sideEffects;
    this.providers = options.providers;
    this.policy = options.policy;
    this.clock = options.clock;
    this.logger = options.logger ?? silentLogger;
    this.random = options.random ?? Math.random;
    this.budget = new RetryBudget(options.policy.retry.budgetRatio, options.policy.retry.budgetMinPerSecond);
    this.ordering = { counter: 0, random: this.random, latencyTolerance: options.policy.latencyTolerance };
  }

  onHealthChange(listener: (e: HealthChangeEvent) => void): Disposer {
    const ds = this.providers.map((p) => p.onHealthChange(listener));
    return () => ds.forEach((d) => d());
  }

  onBreakerStateChange(listener: (e: BreakerChangeEvent) => void): Disposer {
    const ds = this.providers.map((p) => p.onBreakerStateChange(listener));
    return () => ds.forEach((d) => d());
  }

  getProvider(name: string): TrackedProvider | undefined {
    return this.providers.find((p) => p.name === name);
  }

  invoke<T = unknown>(request: unknown, options?: InvokeOptions): Promise<InvokeResult<T>> {
    const started = this.clock.now();
    const deadline = started + (options?.deadlineMs ?? this.policy.deadlineMs);
    const key = options?.idempotencyKey ?? newIdempotencyKey();
    this.budget.recordInvocation(started);
    const order = orderProviders(this.policy.strategy, this.providers, started, this.ordering);
    const first = order[0]!;
    if (this.policy.hedging.enabled || first.unavailable(started) !== null) return this.attemptAll<T>(request, order, [], key, started, deadline, 0);
    // Fast path: the first candidate is usable; most invocations end with its first attempt.
    return new Promise<InvokeResult<T>>((resolve, reject) => {
      first.startFirst<T>(request, key, deadline, started, this.logger, (r) => {
        try {
          const attempts = [record(first.name, r)];
          if (this.attemptEvents.hasListeners) this.emitAttempt(attempts[0]!, key);
          if (r.ok) {
            const trace = first === this.providers[0] ? attempts : this.withPassedOver(attempts, r.endedAt);
            resolve({ result: r.value, provider: first.name, attempts: trace, idempotencyKey: key, latencyMs: r.endedAt - started });
          } else {
            resolve(this.attemptAll<T>(request, order, attempts, key, started, deadline, r.local ? 0 : 1, r));
          }
        } catch (error) {
          reject(error);
        }
      });
    });
  }

  /** The general attempt loop; `after` is the outcome of a first attempt already made on order[0]. */
  private async attemptAll<T>(
    request: unknown,
    order: readonly TrackedProvider[],
    attempts: AttemptRecord[],
    key: string,
    started: number,
    deadline: number,
    calledBefore: number,
    after?: AttemptResult<T>,
  ): Promise<InvokeResult<T>> {
    const retry = this.policy.retry;
    let called = calledBefore;
    let budgetSpent = false;
    let pending = after;

    candidates: for (let i = 0; i < order.length; i++) {
      const provider = order[i]!;
      const now = this.clock.now();
      if (!pending) {
        if (now >= deadline) break;
        const unavailable = provider.unavailable(now);
        if (unavailable) {
          attempts.push({ provider: provider.name, outcome: 'skipped', code: unavailable.code, message: unavailable.reason, latencyMs: 0 });
          continue;
        }
      }
      for (let n = 1; n <= retry.maxAttemptsPerProvider; n++) {
        if (pending) {
          // The fast path already made this provider's first attempt.
          const r = pending;
          pending = undefined;
          if (r.ok || r.local) break;
          if (!this.mayFailOver(r.error.kind, provider)) throw this.stop(r.error, attempts, key);
          if (!this.mayRetrySame(r.error, n, deadline)) break;
          await this.clock.sleep(this.backoff(r.error, n, deadline));
          continue;
        }
        if (called > 0 && !this.budget.tryWithdraw(this.clock.now())) {
          budgetSpent = true;
          attempts.push({ provider: provider.name, outcome: 'skipped', code: 'GW_BUDGET_EXHAUSTED', message: 'retry/failover budget spent', latencyMs: 0 });
          break candidates;
        }
        const hedgeWith = n === 1 && called === 0 ? this.hedgePartner(order, i) : undefined;
        let r: AttemptResult<T>;
        if (hedgeWith) {
          const h = await hedgedAttempt<T>(provider, hedgeWith, request, this.attemptOptions(key, deadline, attempts.length + 1), this.hedgeDelay(provider), this.clock);
          for (const rec of h.records) this.push(attempts, rec, key);
          called += h.records.filter((x) => x.outcome !== 'skipped').length;
          if (h.winner) return this.success(h.winner.value, h.winner.provider, attempts, key, started);
          r = h.last;
        } else {
          r = await provider.execute<T>(request, { idempotencyKey: key, deadline, attempt: attempts.length + 1, logger: this.logger });
          this.push(attempts, record(provider.name, r), key);
          if (r.ok) return { result: r.value, provider: provider.name, attempts: this.withPassedOver(attempts, r.endedAt), idempotencyKey: key, latencyMs: r.endedAt - started };
          if (!r.local) called++;
        }
        if (r.ok) break; // unreachable: success returned above
        if (r.local) break; // our own limits refused: next provider
        const error = r.error;
        if (!this.mayFailOver(error.kind, provider)) throw this.stop(error, attempts, key);
        if (!this.mayRetrySame(error, n, deadline)) break;
        await this.clock.sleep(this.backoff(error, n, deadline));
      }
      if (i < order.length - 1 && this.failoverEvents.hasListeners) {
        const last = attempts[attempts.length - 1];
        if (last && last.outcome !== 'success' && last.outcome !== 'skipped') {
          this.failoverEvents.emit({ capability: this.capability, from: provider.name, kind: last.outcome, code: last.code!, idempotencyKey: key });
        }
      }
    }

    if (called === 0 && !budgetSpent && this.clock.now() < deadline) {
      const panic = await this.panic<T>(request, order, attempts, key, deadline);
      if (panic) return this.success(panic.value, panic.provider, attempts, key, started);
    }
    throw this.exhausted(attempts, key, deadline);
  }

  getStatusReport(): ChainStatusReport {
    const now = this.clock.now();
    return {
      capability: this.capability,
      sideEffects: this.sideEffects,
      strategy: this.policy.strategy,
      panic: this.policy.panic,
      usableProviders: this.providers.filter((p) => p.unavailable(now) === null).length,
      providers: this.providers.map((p) => p.status().toJSON()),
    };
  }

  toJSON(): ChainSnapshot {
    return { capability: this.capability, providers: this.providers.map((p) => p.snapshot()) };
  }

  restore(snapshot: ChainSnapshot): void {
    for (const s of snapshot.providers) this.getProvider(s.provider)?.restore(s);
  }

  private attemptOptions(key: string, deadline: number, attempt: number) {
    return { idempotencyKey: key, deadline, attempt, logger: this.logger };
  }

  private push(attempts: AttemptRecord[], rec: AttemptRecord, key: string): void {
    attempts.push(rec);
    if (this.attemptEvents.hasListeners) this.emitAttempt(rec, key);
  }

  private emitAttempt(rec: AttemptRecord, key: string): void {
    const e: AttemptEvent = { capability: this.capability, provider: rec.provider, idempotencyKey: key, outcome: rec.outcome, latencyMs: rec.latencyMs };
    if (rec.code) e.code = rec.code;
    this.attemptEvents.emit(e);
  }

  private success<T>(value: T, provider: string, attempts: AttemptRecord[], key: string, started: number): InvokeResult<T> {
    return { result: value, provider, attempts: this.withPassedOver(attempts), idempotencyKey: key, latencyMs: this.clock.now() - started };
  }

  /**
   * The trace must say why a route was taken: providers that were never reached because the
   * ordering put them behind the one that served (an open circuit, a cool-down, worse health)
   * are listed first, as skipped with their reason.
   */
  private withPassedOver(attempts: AttemptRecord[], now = this.clock.now()): AttemptRecord[] {
    let extra: AttemptRecord[] | undefined;
    for (const p of this.providers) {
      if (tried(attempts, p.name)) {
        if (this.policy.strategy === 'priority') break; // providers after the served one were not passed over
        continue;
      }
      const u = p.unavailable(now);
      let rec: AttemptRecord | undefined;
      if (u) rec = { provider: p.name, outcome: 'skipped', code: u.code, message: u.reason, latencyMs: 0 };
      else if (this.policy.strategy === 'priority') {
        rec = { provider: p.name, outcome: 'skipped', code: 'GW_DEMOTED', message: `ordered behind healthier providers (health ${p.healthAt(now).health})`, latencyMs: 0 };
      }
      if (rec) (extra ??= []).push(rec);
    }
    if (!extra) return attempts;
    for (const a of attempts) extra.push(a);
    return extra;
  }

  /** The kinds table: never after invalid_request; after unknown_outcome only when a duplicate is impossible or accepted. */
  private mayFailOver(kind: FailureKind, provider: TrackedProvider): boolean {
    if (failsOver(kind)) return true;
    if (kind !== 'unknown_outcome') return false;
    return !this.sideEffects || provider.deduplicates || this.policy.failoverOnUnknownOutcome;
  }

  private mayRetrySame(error: GatewayError, n: number, deadline: number): boolean {
    if (n >= this.policy.retry.maxAttemptsPerProvider) return false;
    const now = this.clock.now();
    switch (error.kind) {
      case 'transient':
      case 'timeout':
        return now + this.policy.retry.backoffMs < deadline;
      case 'rate_limited': {
        const wait = error.retryAfterMs;
        return wait !== undefined && wait <= this.policy.retry.maxRetryAfterMs && now + wait < deadline;
      }
      default:
        return false;
    }
  }

  private backoff(error: GatewayError, n: number, deadline: number): number {
    const r = this.policy.retry;
    const exp = Math.min(r.maxBackoffMs, r.backoffMs * 2 ** (n - 1));
    const jittered = exp / 2 + (this.random() * exp) / 2;
    const wait = error.kind === 'rate_limited' && error.retryAfterMs !== undefined ? Math.max(error.retryAfterMs, jittered) : jittered;
    return Math.max(0, Math.min(wait, deadline - this.clock.now() - 1));
  }

  private hedgePartner(order: readonly TrackedProvider[], i: number): TrackedProvider | undefined {
    if (this.sideEffects || !this.policy.hedging.enabled) return undefined;
    const now = this.clock.now();
    for (let j = i + 1; j < order.length; j++) if (order[j]!.unavailable(now) === null) return order[j];
    return undefined;
  }

  private hedgeDelay(primary: TrackedProvider): number {
    if (this.policy.hedging.delayMs > 0) return this.policy.hedging.delayMs;
    return Math.max(5, primary.status().toJSON().p95Ms ?? 50);
  }

  private async panic<T>(request: unknown, order: readonly TrackedProvider[], attempts: AttemptRecord[], key: string, deadline: number) {
    if (this.policy.panic === 'fail_fast') {
      const now = this.clock.now();
      const times = order.map((p) => p.availableAt(now)).filter((t): t is number => t !== null);
      const earliest = times.length ? Math.min(...times) : null;
      const opts: ConstructorParameters<typeof GatewayError>[2] = { capability: this.capability };
      if (earliest !== null) opts.retryAfterMs = Math.max(0, earliest - now);
      const when = earliest === null ? 'no provider has a known recovery time' : `the earliest provider is usable at ${new Date(earliest).toISOString()}`;
      throw new InvocationError('GW_NO_USABLE_PROVIDER', `No usable provider for ${this.capability}; ${when}`, attempts, key, opts);
    }
    // try_all: never leave a capability with zero attempts because every breaker is open.
    for (const provider of order) {
      if (this.clock.now() >= deadline) return undefined;
      if (!provider.configured || provider.status().toJSON().breakerState === 'isolated') continue;
      const r = await provider.execute<T>(request, { ...this.attemptOptions(key, deadline, attempts.length + 1), bypass: true });
      this.push(attempts, { ...record(provider.name, r), panic: true }, key);
      if (r.ok) return { value: r.value, provider: provider.name };
      if (!r.local && !this.mayFailOver(r.error.kind, provider)) throw this.stop(r.error, attempts, key);
    }
    return undefined;
  }

  private stop(error: GatewayError, attempts: AttemptRecord[], key: string): InvocationError {
    const opts: ConstructorParameters<typeof GatewayError>[2] = { kind: error.kind, capability: this.capability, cause: error };
    if (error.provider) opts.provider = error.provider;
    if (error.status !== undefined) opts.status = error.status;
    if (error.retryAfterMs !== undefined) opts.retryAfterMs = error.retryAfterMs;
    if (error.details) opts.details = error.details;
    return new InvocationError(error.code, error.message, attempts, key, opts);
  }

  private exhausted(attempts: AttemptRecord[], key: string, deadline: number): InvocationError {
    const timedOut = this.clock.now() >= deadline;
    const code: ErrorCode = timedOut && !attempts.some((a) => a.outcome !== 'skipped' && a.outcome !== 'timeout') ? 'GW_DEADLINE_EXCEEDED' : 'GW_ALL_PROVIDERS_FAILED';
    const retryAfters = attempts.map((a) => a.retryAfterMs).filter((x): x is number => x !== undefined);
    const opts: ConstructorParameters<typeof GatewayError>[2] = { kind: code === 'GW_DEADLINE_EXCEEDED' ? 'timeout' : summaryKind(attempts), capability: this.capability };
    if (retryAfters.length) opts.retryAfterMs = Math.min(...retryAfters);
    const tried = attempts.map((a) => `${a.provider}: ${a.outcome}${a.code ? ` (${a.code})` : ''}`).join('; ');
    const error = new AllProvidersFailedError(code, `All providers for ${this.capability} failed: ${tried || 'none tried'}`, attempts, key, opts);
    if (this.exhaustedEvents.hasListeners) this.exhaustedEvents.emit({ capability: this.capability, idempotencyKey: key, attempts, code });
    return error;
  }
}

function tried(attempts: readonly AttemptRecord[], provider: string): boolean {
  for (let i = 0; i < attempts.length; i++) if (attempts[i]!.provider === provider) return true;
  return false;
}

function record(provider: string, r: AttemptResult<unknown>): AttemptRecord {
  if (r.ok) return { provider, outcome: 'success', latencyMs: r.latencyMs };
  const rec: AttemptRecord = {
    provider,
    outcome: r.local ? 'skipped' : r.error.kind,
    code: r.error.code,
    message: r.error.message,
    latencyMs: r.latencyMs,
  };
  if (r.error.retryAfterMs !== undefined) rec.retryAfterMs = r.error.retryAfterMs;
  return rec;
}
