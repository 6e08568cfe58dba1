/**
 * ProviderChain: the ordered providers of one capability and the policy that routes between
 * them. One invocation lists candidates (healthy first, a provider due for a recovery trial in
 * its configured place), skips unusable ones with a recorded reason, attempts each within the
 * deadline and the retry budget, fails over by the kinds table, and applies the panic rule
 * when nobody is usable.
 */
import type { Span } from '@opentelemetry/api';
import { randomUUID } from 'node:crypto';
import { RetryBudget } from './budget.js';
import type { AttemptEvent, ChainSnapshot, ChainStatusReport, ExhaustedEvent, FailoverEvent } from './chain-types.js';
import type { Clock } from './clock.js';
import { GatewayError, type ErrorCode, type FailureKind } from './errors.js';
import { Emitter, type Disposer } from './events.js';
import { hedgedAttempt } from './hedge.js';
import {
  AllProvidersFailedError,
  InvocationError,
  summaryKind,
  type AttemptRecord,
  type InvokeOptions,
  type InvokeResult,
} from './invocation.js';
import { silentLogger, type Logger } from './logger.js';
import { orderProviders, type OrderingState } from './ordering.js';
import type { ChainPolicy } from './policy.js';
import { backoffMs, mayFailOver, mayRetrySame } from './retry-rules.js';
import type { AttemptResult, BreakerChangeEvent, HealthChangeEvent, TrackedProvider, Unavailable } from './tracked-provider.js';
import { attemptRecord, passedOver, skipped } from './trace.js';
import { inSpan, SPAN_ATTRIBUTES as A } from './tracing.js';

export type * from './chain-types.js';

export interface ChainOptions {
  capability: string;
  sideEffects: boolean;
  providers: readonly TrackedProvider[];
  policy: ChainPolicy;
  clock: Clock;
  logger?: Logger;
  random?: () => number;
  /**
   * Checks a request against the capability's schema and returns the parsed request (throws
   * GW_INVALID_REQUEST). Adapters receive only what it returned. Default: the request as is.
   */
  validate?: (request: unknown) => unknown;
  /** Runs around every invocation of a validated request, whichever path invokes it (see RequestGuard). */
  guard?: RequestGuard;
}

/**
 * What the gateway runs around every invocation of a chain, on every path that invokes it
 * (a caller's request, the outbox worker, the BullMQ worker): email_sending's suppression list
 * leaves suppressed addresses out before any provider is called and counts what was sent.
 */
export interface RequestGuard {
  /**
   * The request to send (parts may be left out), providers to try last for it (`demote`: bulk
   * mail avoids a provider with a bad complaint rate), and what to make of its result; throws (a
   * GatewayError) to send nothing.
   */
  before(request: unknown): Promise<{ request: unknown; demote?: readonly string[]; after(result: InvokeResult): Promise<InvokeResult> }>;
}

/** One invocation in progress. */
interface Run {
  request: unknown;
  key: string;
  acceptedAt: number;
  started: number;
  deadline: number;
  attempts: AttemptRecord[];
  /** Provider calls made (local rejections and skips are not calls). */
  called: number;
  budgetSpent: boolean;
}

type Served<T> = { ok: true; value: T; provider: string };

/** The order with the demoted providers moved to the end (in their order). */
function demotedLast(order: readonly TrackedProvider[], demote: readonly string[] | undefined): readonly TrackedProvider[] {
  if (!demote?.length) return order;
  return [...order.filter((p) => !demote.includes(p.name)), ...order.filter((p) => demote.includes(p.name))];
}
type Attempted<T> = Served<T> | { ok: false; error: GatewayError; local: boolean };

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
  private readonly validator: (request: unknown) => unknown;
  private readonly guard: RequestGuard | undefined;

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
    this.validator = options.validate ?? ((request) => request);
    this.guard = options.guard;
    this.budget = new RetryBudget(options.policy.retry.budgetRatio, options.policy.retry.budgetMinPerSecond);
    this.ordering = {
      counter: 0,
      random: this.random,
      latencyTolerance: options.policy.latencyTolerance,
      busyKeepsPlace: options.policy.overflow === 'wait',
    };
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

  /**
   * Every provider deduplicates this request (a retry after an unknown outcome is safe). A request
   * the capability refuses counts as not deduplicated.
   */
  deduplicates(request: unknown): boolean {
    let parsed: unknown;
    try {
      parsed = this.validate(request);
    } catch {
      return false;
    }
    return this.providers.every((p) => p.deduplicates(parsed));
  }

  /** `now` when a provider is usable now; a later time when the earliest one becomes usable; null when unknown. */
  usableAt(now: number): number | null {
    let best: number | null = null;
    for (const p of this.providers) {
      const t = p.availableAt(now);
      if (t !== null && (best === null || t < best)) best = t;
    }
    return best;
  }

  /** The request checked against the capability schema (throws GW_INVALID_REQUEST naming every field). */
  validate(request: unknown): unknown {
    return this.validator(request);
  }

  /** Validates the request (an invalid one rejects, no provider is called), then runs it through the providers. */
  async invoke<T = unknown>(request: unknown, options?: InvokeOptions): Promise<InvokeResult<T>> {
    return this.invokeValidated<T>(this.validate(request), options);
  }

  /** Runs a request that `validate()` returned (the delivery layer validates once, before the ledger). */
  invokeValidated<T = unknown>(request: unknown, options?: InvokeOptions): Promise<InvokeResult<T>> {
    return inSpan(
      `aicmo.invoke ${this.capability}`,
      () => ({ [A.capability]: this.capability }),
      async (span) => {
        try {
          let result: InvokeResult<T>;
          if (!this.guard) result = await this.run<T>(request, options);
          else {
            const guarded = await this.guard.before(request);
            result = (await guarded.after(await this.run(guarded.request, options, guarded.demote))) as InvokeResult<T>;
          }
          if (span.isRecording()) annotateInvocation(span, result.attempts, result.provider);
          return result;
        } catch (error) {
          if (span.isRecording() && error instanceof InvocationError) annotateInvocation(span, error.attempts);
          throw error;
        }
      },
      () => ({ outcome: 'success' }),
    );
  }

  private async run<T>(request: unknown, options?: InvokeOptions, demote?: readonly string[]): Promise<InvokeResult<T>> {
    const started = this.clock.now();
    const run: Run = {
      request,
      key: options?.idempotencyKey ?? randomUUID(),
      acceptedAt: options?.acceptedAt ?? started,
      started,
      deadline: started + (options?.deadlineMs ?? this.policy.deadlineMs),
      attempts: [],
      called: 0,
      budgetSpent: false,
    };
    this.budget.recordInvocation(started);
    const ordered = demotedLast(orderProviders(this.policy.strategy, this.providers, started, this.ordering), demote);
    const order = options?.spread ? this.soonestTurnFirst(ordered, run, started) : ordered;
    const served = (await this.tryInOrder<T>(run, order)) ?? (await this.waitForAnnouncedReset<T>(run));
    if (served) return this.success(run, served);
    if (run.called === 0 && !run.budgetSpent && this.clock.now() < run.deadline) {
      const served = await this.panic<T>(run, order);
      if (served) return this.success(run, served);
      if (run.called === 0) throw this.noUsableProvider(run, order);
    }
    throw this.exhausted(run);
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

  /** The usable providers by how soon their turn comes (stable: equal waits keep the chain's order), then the rest. */
  private soonestTurnFirst(order: readonly TrackedProvider[], run: Run, now: number): TrackedProvider[] {
    const usable = order.filter((p) => this.blocked(p, run, now) === null);
    const wait = new Map(usable.map((p) => [p, p.turnWait(now)]));
    const sorted = [...usable].sort((a, b) => wait.get(a)! - wait.get(b)!);
    return [...sorted, ...order.filter((p) => !wait.has(p))];
  }

  /** Each usable provider in turn (unusable ones are recorded as skipped) until one serves. */
  private async tryInOrder<T>(run: Run, order: readonly TrackedProvider[]): Promise<Served<T> | undefined> {
    for (let i = 0; i < order.length && !run.budgetSpent; i++) {
      const provider = order[i]!;
      const now = this.clock.now();
      if (now >= run.deadline) break;
      const unavailable = this.blocked(provider, run, now);
      if (unavailable) {
        run.attempts.push(skipped(provider.name, unavailable.code, unavailable.reason));
        continue;
      }
      const served = await this.tryProvider<T>(run, provider, order.slice(i + 1));
      if (served) return served;
      if (i < order.length - 1) this.emitFailover(run, provider);
    }
    return undefined;
  }

  /**
   * Nobody served, and a provider told this invocation to wait (a rate limit or throttle with
   * its reset time) that ends before the deadline: wait for the reset and go through the chain
   * once more, instead of failing a call that still has time. Never sooner than the provider
   * asked; an open circuit or a held one is not waited for, and an invocation that only found
   * providers already cooling down fails at once with their reset (`GW_NO_USABLE_PROVIDER`), so
   * callers arriving during a cool-down do not all pile onto the reset.
   */
  private async waitForAnnouncedReset<T>(run: Run): Promise<Served<T> | undefined> {
    if (run.budgetSpent) return undefined;
    const now = this.clock.now();
    const toldToWait = new Set(run.attempts.filter((a) => a.outcome === 'rate_limited').map((a) => a.provider));
    let reset: number | null = null;
    for (const p of this.providers) {
      if (!toldToWait.has(p.name) || p.unavailable(now)?.code !== 'GW_COOLING_DOWN') continue;
      const at = p.availableAt(now);
      if (at !== null && (reset === null || at < reset)) reset = at;
    }
    if (reset === null || reset >= run.deadline) return undefined;
    await this.clock.sleep(reset - now);
    return this.tryInOrder<T>(run, orderProviders(this.policy.strategy, this.providers, this.clock.now(), this.ordering));
  }

  /** Up to maxAttemptsPerProvider attempts on one provider: what it served, or undefined to move on. Throws when the kind forbids failover. */
  private async tryProvider<T>(run: Run, provider: TrackedProvider, rest: readonly TrackedProvider[]): Promise<Served<T> | undefined> {
    for (let n = 1; n <= this.policy.retry.maxAttemptsPerProvider; n++) {
      if (n > 1) {
        // While this invocation backed off, another may have learnt that the provider must not be called.
        const unavailable = this.blocked(provider, run, this.clock.now());
        if (unavailable) {
          run.attempts.push(skipped(provider.name, unavailable.code, unavailable.reason));
          return undefined;
        }
      }
      if (run.called > 0 && !this.budget.tryWithdraw(this.clock.now())) {
        run.budgetSpent = true;
        run.attempts.push(skipped(provider.name, 'GW_BUDGET_EXHAUSTED', 'retry/failover budget spent'));
        return undefined;
      }
      const partner = n === 1 && run.called === 0 ? this.hedgePartner(rest) : undefined;
      const r = await this.attempt<T>(run, provider, { partner });
      if (r.ok) return r;
      if (r.local) return undefined; // our own limits refused: next provider
      if (!this.mayFailOver(r.error.kind, provider, run.request)) throw this.stop(r.error, run);
      if (!mayRetrySame(r.error, n, this.policy, this.clock.now(), run.deadline)) return undefined;
      await this.clock.sleep(backoffMs(r.error, n, this.policy, this.random, this.clock.now(), run.deadline));
    }
    return undefined;
  }

  /**
   * Why this invocation may not call the provider now, or null. With overflow `wait`, a provider
   * cooling down after a rate limit whose reset comes before the deadline is busy, not blocked:
   * the call waits its turn at the provider's pace (src/core/pacer.ts) instead of spilling over.
   */
  private blocked(provider: TrackedProvider, run: Run, now: number): Unavailable | null {
    const unavailable = provider.unavailable(now);
    if (!unavailable || this.policy.overflow !== 'wait') return unavailable;
    const busyUntil = provider.rateLimitedUntil(now);
    return busyUntil !== null && unavailable.code === 'GW_COOLING_DOWN' && busyUntil < run.deadline ? null : unavailable;
  }

  /** One attempt (or a hedged pair), recorded in the trace. */
  private attempt<T>(run: Run, provider: TrackedProvider, how: { partner?: TrackedProvider | undefined; panicTrial?: boolean }) {
    return inSpan(
      `aicmo.attempt ${provider.name}`,
      () => this.attemptAttributes(run, provider, how),
      () => this.callProvider<T>(run, provider, how),
      (r) => (r.ok ? { outcome: 'success' } : { outcome: r.local ? 'skipped' : r.error.kind, code: r.error.code }),
    );
  }

  /** The attempt span's attributes; the failover reason is what the previous provider's last attempt ended with. */
  private attemptAttributes(run: Run, provider: TrackedProvider, how: { partner?: TrackedProvider | undefined; panicTrial?: boolean }) {
    const attrs: Record<string, string | number | boolean> = {
      [A.capability]: this.capability,
      [A.provider]: provider.name,
      [A.attempt]: run.attempts.length + 1,
    };
    const previous = run.attempts.at(-1);
    if (previous && previous.provider !== provider.name && previous.outcome !== 'success')
      attrs[A.failoverReason] = `${previous.outcome} ${previous.code ?? ''}`.trim();
    if (how.panicTrial) attrs[A.panic] = true;
    if (how.partner) attrs[A.hedgedWith] = how.partner.name;
    return attrs;
  }

  private async callProvider<T>(
    run: Run,
    provider: TrackedProvider,
    how: { partner?: TrackedProvider | undefined; panicTrial?: boolean },
  ): Promise<Attempted<T>> {
    const opts = {
      idempotencyKey: run.key,
      acceptedAt: run.acceptedAt,
      deadline: run.deadline,
      attempt: run.attempts.length + 1,
      logger: this.logger,
      panicTrial: how.panicTrial === true,
      // A panic trial is one bounded call decided now: it never queues (the circuit it was allowed
      // for may be held by the time a turn comes).
      waitForTurn: this.policy.overflow === 'wait' && how.panicTrial !== true,
    };
    if (how.partner) {
      const h = await hedgedAttempt<T>(provider, how.partner, run.request, opts, this.hedgeDelay(provider), this.clock);
      for (const rec of h.records) this.record(run, rec);
      run.called += h.records.filter((x) => x.outcome !== 'skipped').length;
      return h.winner ? { ok: true, ...h.winner } : failed(h.last);
    }
    const r = await provider.execute<T>(run.request, opts);
    const rec = attemptRecord(provider.name, r);
    this.record(run, how.panicTrial ? { ...rec, panic: true } : rec);
    if (r.ok || !r.local) run.called++;
    return r.ok ? { ok: true, value: r.value, provider: provider.name } : failed(r);
  }

  /**
   * Nobody was usable. `try_all` gives each open circuit from transient failures a bounded
   * trial (one in flight, one per trial interval, counted in the budget). Nothing else is
   * called: rate-limit and quota resets, refused credentials and misconfiguration are waited out.
   */
  private async panic<T>(run: Run, order: readonly TrackedProvider[]): Promise<Served<T> | undefined> {
    if (this.policy.panic !== 'try_all') return undefined;
    for (const provider of order) {
      const now = this.clock.now();
      if (now >= run.deadline) return undefined;
      if (!provider.panicTrialAllowed(now)) continue;
      if (!this.budget.tryWithdraw(now)) {
        run.attempts.push(skipped(provider.name, 'GW_BUDGET_EXHAUSTED', 'retry/failover budget spent: no panic trial'));
        return undefined;
      }
      const r = await this.attempt<T>(run, provider, { panicTrial: true });
      if (r.ok) return r;
      if (!r.local && !this.mayFailOver(r.error.kind, provider, run.request)) throw this.stop(r.error, run);
    }
    return undefined;
  }

  private record(run: Run, rec: AttemptRecord): void {
    run.attempts.push(rec);
    const e: AttemptEvent = {
      capability: this.capability,
      provider: rec.provider,
      idempotencyKey: run.key,
      outcome: rec.outcome,
      latencyMs: rec.latencyMs,
    };
    if (rec.code) e.code = rec.code;
    this.attemptEvents.emit(e);
  }

  private emitFailover(run: Run, from: TrackedProvider): void {
    const last = run.attempts[run.attempts.length - 1];
    if (!last || last.provider !== from.name || last.outcome === 'success' || last.outcome === 'skipped') return;
    this.failoverEvents.emit({
      capability: this.capability,
      from: from.name,
      kind: last.outcome,
      code: last.code!,
      idempotencyKey: run.key,
    });
  }

  private success<T>(run: Run, served: { value: T; provider: string }): InvokeResult<T> {
    const now = this.clock.now();
    const attempts = [...passedOver(this.providers, this.policy.strategy, run.attempts, now), ...run.attempts];
    return { result: served.value, provider: served.provider, attempts, idempotencyKey: run.key, latencyMs: now - run.started };
  }

  private mayFailOver(kind: FailureKind, provider: TrackedProvider, request: unknown): boolean {
    return mayFailOver(kind, this.policy, this.sideEffects, provider.deduplicates(request));
  }

  private hedgePartner(rest: readonly TrackedProvider[]): TrackedProvider | undefined {
    if (this.sideEffects || !this.policy.hedging.enabled) return undefined;
    const now = this.clock.now();
    return rest.find((p) => p.unavailable(now) === null);
  }

  private hedgeDelay(primary: TrackedProvider): number {
    if (this.policy.hedging.delayMs > 0) return this.policy.hedging.delayMs;
    return Math.max(5, primary.status().toJSON().p95Ms ?? 50);
  }

  private stop(error: GatewayError, run: Run): InvocationError {
    const opts: ConstructorParameters<typeof GatewayError>[2] = { kind: error.kind, capability: this.capability, cause: error };
    if (error.provider) opts.provider = error.provider;
    if (error.status !== undefined) opts.status = error.status;
    if (error.retryAfterMs !== undefined) opts.retryAfterMs = error.retryAfterMs;
    if (error.details) opts.details = error.details;
    return new InvocationError(error.code, error.message, run.attempts, run.key, opts);
  }

  /** Nothing was called: the earliest time a provider becomes usable goes back as retryAfterMs. */
  private noUsableProvider(run: Run, order: readonly TrackedProvider[]): InvocationError {
    const now = this.clock.now();
    const times = order.map((p) => p.availableAt(now)).filter((t): t is number => t !== null && t > now);
    for (const a of run.attempts) if (a.retryAfterMs !== undefined) times.push(now + a.retryAfterMs);
    const earliest = times.length ? Math.min(...times) : null;
    const opts: ConstructorParameters<typeof GatewayError>[2] = { capability: this.capability };
    if (earliest !== null) opts.retryAfterMs = earliest - now;
    const when =
      earliest === null
        ? 'no provider has a known recovery time'
        : `the earliest provider is usable at ${new Date(earliest).toISOString()}`;
    return new InvocationError('GW_NO_USABLE_PROVIDER', `No usable provider for ${this.capability}; ${when}`, run.attempts, run.key, opts);
  }

  private exhausted(run: Run): InvocationError {
    const { attempts, key } = run;
    const timedOut = this.clock.now() >= run.deadline;
    const code: ErrorCode =
      timedOut && !attempts.some((a) => a.outcome !== 'skipped' && a.outcome !== 'timeout')
        ? 'GW_DEADLINE_EXCEEDED'
        : 'GW_ALL_PROVIDERS_FAILED';
    const retryAfters = attempts.map((a) => a.retryAfterMs).filter((x): x is number => x !== undefined);
    const opts: ConstructorParameters<typeof GatewayError>[2] = {
      kind: code === 'GW_DEADLINE_EXCEEDED' ? 'timeout' : summaryKind(attempts),
      capability: this.capability,
    };
    if (retryAfters.length) opts.retryAfterMs = Math.min(...retryAfters);
    const tried = attempts.map((a) => `${a.provider}: ${a.outcome}${a.code ? ` (${a.code})` : ''}`).join('; ');
    const error = new AllProvidersFailedError(
      code,
      `All providers for ${this.capability} failed: ${tried || 'none tried'}`,
      attempts,
      key,
      opts,
    );
    this.exhaustedEvents.emit({ capability: this.capability, idempotencyKey: key, attempts, code });
    return error;
  }
}

/** The serving provider, how many attempts were recorded, and each provider passed over as an event with its reason. */
function annotateInvocation(span: Span, attempts: readonly AttemptRecord[], provider?: string): void {
  span.setAttribute(A.attempts, attempts.length);
  if (provider) span.setAttribute(A.provider, provider);
  for (const a of attempts)
    if (a.outcome === 'skipped')
      span.addEvent('aicmo.skipped', { [A.provider]: a.provider, [A.errorCode]: a.code ?? '', reason: a.message ?? '' });
}

function failed(r: AttemptResult<unknown>): Attempted<never> {
  if (r.ok) throw new TypeError('not a failure');
  return { ok: false, error: r.error, local: r.local };
}
