/**
 * Idempotent, durable invocation: the ledger answers repeated keys (stored result, wait or
 * 409 while in flight, 422 for a different request), and side-effecting requests that every
 * provider failed over (or that the caller wants delivered asynchronously) go to the outbox,
 * stored before the caller hears `accepted`.
 */
import { randomUUID } from 'node:crypto';
import type { ProviderChain } from '../core/chain.js';
import type { Clock } from '../core/clock.js';
import { GatewayError, toGatewayError } from '../core/errors.js';
import type { InvokeOptions, InvokeResult } from '../core/invocation.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { deliveryError, errorJson, inFlight, mayHaveLanded, mismatch, queueable, replayedError } from './delivery-errors.js';
import type { ChainRegistry } from '../core/registry.js';
import { requestFingerprint } from './fingerprint.js';
import type { IdempotencyLedger, LedgerEntry } from './ledger.js';
import type { DeliveryError, DeliveryRecord, EnqueueInput, Outbox } from './outbox.js';

export interface DeliveryPolicy {
  ttlMs: number;
  inFlight: 'wait' | 'reject';
  outboxEnabled: boolean;
  /** Added to the invocation deadline to form the in-flight lease (then a silent holder counts as crashed). */
  leaseGraceMs: number;
}

const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  ttlMs: 24 * 3_600_000,
  inFlight: 'wait',
  outboxEnabled: true,
  leaseGraceMs: 2_000,
};

export interface SubmitOptions extends InvokeOptions {
  /** Queue in the outbox right away and answer `accepted` (HTTP `Prefer: respond-async`). */
  async?: boolean;
  /** False: never fall back to the outbox (the failure is thrown). Default true. */
  outbox?: boolean;
}

export type Submission =
  | { status: 'completed'; replayed: boolean; result: InvokeResult }
  | { status: 'accepted'; replayed: boolean; idempotencyKey: string; delivery: DeliveryRecord };

export interface DeliveryServiceOptions {
  /** The Gateway's chains: the service validates with them and runs them. */
  chains: ChainRegistry;
  ledger: IdempotencyLedger;
  outbox?: Outbox;
  clock: Clock;
  logger?: Logger;
  policy?: Partial<DeliveryPolicy>;
  /** This process's token in the ledger (default random). */
  instanceId?: string;
}

/** A request the ledger let this process run: its chain, validated request, key and times. */
interface Accepted {
  chain: ProviderChain;
  request: unknown;
  key: string;
  /** This submission's token in the ledger. */
  owner: string;
  deadlineMs: number;
  /** When the gateway accepted it: every attempt and every outbox retry sees this time. */
  acceptedAt: number;
}

export class DeliveryService {
  readonly chains: ChainRegistry;
  readonly ledger: IdempotencyLedger;
  readonly outbox: Outbox | undefined;
  readonly policy: DeliveryPolicy;
  readonly instanceId: string;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private seq = 0;
  private beginsSincePrune = 0;

  constructor(o: DeliveryServiceOptions) {
    this.chains = o.chains;
    this.ledger = o.ledger;
    this.outbox = o.outbox;
    this.clock = o.clock;
    this.logger = o.logger ?? silentLogger;
    this.policy = { ...DEFAULT_DELIVERY_POLICY, ...o.policy };
    this.instanceId = o.instanceId ?? randomUUID();
  }

  /** Ledger-checked invocation without the outbox (a key queued earlier answers GW_IDEMPOTENCY_IN_FLIGHT). */
  async invoke<T = unknown>(capability: string, request: unknown, options: InvokeOptions = {}): Promise<InvokeResult<T>> {
    const s = await this.submit(capability, request, { ...options, outbox: false });
    if (s.status === 'accepted') throw inFlight(s.idempotencyKey, capability, s.delivery.id);
    return s.result as InvokeResult<T>;
  }

  /**
   * The one invoke path: validate once, consult the ledger (a repeated key gets its stored answer),
   * run the chain, settle the key, and hand a side-effecting request that no provider could take
   * to the outbox.
   */
  async submit(capability: string, request: unknown, options: SubmitOptions = {}): Promise<Submission> {
    const chain = this.chains.requireChain(capability);
    const parsed = chain.validate(request);
    const key = options.idempotencyKey ?? randomUUID();
    const fingerprint = requestFingerprint(capability, parsed);
    const deadlineMs = options.deadlineMs ?? chain.policy.deadlineMs;
    const acceptedAt = this.clock.now();
    const waitUntil = acceptedAt + deadlineMs;
    const owner = `${this.instanceId}/${++this.seq}`;
    this.maybePrune();
    for (;;) {
      const now = this.clock.now();
      const begun = await this.ledger.begin({
        key,
        capability,
        fingerprint,
        owner,
        now,
        leaseMs: deadlineMs + this.policy.leaseGraceMs,
        ttlMs: this.policy.ttlMs,
      });
      if (begun.acquired) return await this.run({ chain, request: parsed, key, owner, deadlineMs, acceptedAt }, options);
      const entry = begun.entry;
      if (entry.fingerprint !== fingerprint) throw mismatch(entry, capability);
      if (entry.state !== 'in_flight') return this.answer(entry);
      if (this.policy.inFlight === 'reject') throw inFlight(key, capability);
      const settled = await this.waitSettled(key, waitUntil);
      if (settled === 'timeout') throw inFlight(key, capability);
      if (settled !== 'gone') {
        if (settled.fingerprint !== fingerprint) throw mismatch(settled, capability);
        return this.answer(settled);
      }
      // The holder released the key (a transient failure): try to acquire it ourselves.
    }
  }

  private async run(a: Accepted, o: SubmitOptions): Promise<Submission> {
    const { chain, key, owner } = a;
    const outboxAllowed = chain.sideEffects && this.policy.outboxEnabled && this.outbox !== undefined && o.outbox !== false;
    if (o.async && outboxAllowed) return this.enqueue(a);
    let result: InvokeResult;
    try {
      result = await chain.invokeValidated(a.request, { idempotencyKey: key, deadlineMs: a.deadlineMs, acceptedAt: a.acceptedAt });
    } catch (thrown) {
      const error = toGatewayError(thrown);
      const now = this.clock.now();
      if (mayHaveLanded(thrown)) {
        await this.ledger.settle(key, { state: 'unknown_outcome', error: errorJson(error) }, now, owner);
      } else if (error.kind === 'invalid_request') {
        await this.ledger.settle(key, { state: 'failed', error: errorJson(error) }, now, owner);
      } else if (outboxAllowed && queueable(thrown)) {
        return this.enqueue(a, deliveryError(error));
      } else {
        await this.ledger.release(key, owner);
      }
      throw thrown;
    }
    const ok = await this.ledger.settle(
      key,
      { state: 'succeeded', result: result.result, provider: result.provider },
      this.clock.now(),
      owner,
    );
    if (!ok) this.logger.warn({ idempotencyKey: key }, 'ledger entry was taken over before the result was recorded');
    return { status: 'completed', replayed: false, result };
  }

  /** Stores the request durably; its delivery's createdAt is the time the gateway accepted it. */
  private async enqueue(a: Accepted, lastError?: DeliveryError): Promise<Submission> {
    const { key, owner } = a;
    const capability = a.chain.capability;
    const input: EnqueueInput = { idempotencyKey: key, capability, request: a.request, now: a.acceptedAt };
    if (lastError) input.lastError = lastError;
    const outbox = this.outbox!;
    const delivery = await outbox.enqueue(input);
    // Stored: from here the outbox owns the request. If this process dies before the next line,
    // the key's lease expires and replays find the delivery by key (see answer()).
    if (!outbox.marksLedger) await this.ledger.settle(key, { state: 'queued', deliveryId: delivery.id }, this.clock.now(), owner);
    this.logger.info({ idempotencyKey: key, deliveryId: delivery.id, capability }, 'request stored in the outbox');
    return { status: 'accepted', replayed: false, idempotencyKey: key, delivery };
  }

  private async answer(entry: LedgerEntry): Promise<Submission> {
    switch (entry.state) {
      case 'succeeded':
        return {
          status: 'completed',
          replayed: true,
          result: { result: entry.result, provider: entry.provider ?? 'unknown', attempts: [], idempotencyKey: entry.key, latencyMs: 0 },
        };
      case 'queued': {
        const delivery = entry.deliveryId ? await this.outbox?.get(entry.deliveryId) : undefined;
        if (!delivery) throw inFlight(entry.key, entry.capability, entry.deliveryId);
        // The worker records the delivery before it settles the key: the delivery is the truth.
        if (delivery.state === 'delivered') return this.deliveredReplay(entry.key, delivery);
        if (delivery.state === 'unknown_outcome' || delivery.state === 'failed') {
          const error = delivery.lastError ? { name: 'GatewayError', ...delivery.lastError } : entry.error;
          throw replayedError(error ? { ...entry, state: delivery.state, error } : { ...entry, state: delivery.state });
        }
        return { status: 'accepted', replayed: true, idempotencyKey: entry.key, delivery };
      }
      default: {
        // An unknown outcome whose request reached the outbox (the process died between the
        // enqueue and the ledger update): the outbox owns it, so answer with the delivery.
        const delivery = entry.state === 'unknown_outcome' && !entry.deliveryId ? await this.outbox?.findByKey(entry.key) : undefined;
        if (delivery?.state === 'delivered') return this.deliveredReplay(entry.key, delivery);
        if (delivery) return { status: 'accepted', replayed: true, idempotencyKey: entry.key, delivery };
        throw replayedError(entry);
      }
    }
  }

  /** Expired ledger entries are dropped every 1,000 submissions, so the ledger never grows without bound. */
  private maybePrune(): void {
    if (++this.beginsSincePrune < 1_000) return;
    this.beginsSincePrune = 0;
    this.ledger
      .prune(this.clock.now())
      .catch((e: unknown) => this.logger.warn({ reason: e instanceof Error ? e.message : String(e) }, 'ledger prune failed'));
  }

  private deliveredReplay(key: string, delivery: DeliveryRecord): Submission {
    return {
      status: 'completed',
      replayed: true,
      result: { result: delivery.result, provider: delivery.provider ?? 'unknown', attempts: [], idempotencyKey: key, latencyMs: 0 },
    };
  }

  /** Polls the ledger until the in-flight entry settles, disappears, or the deadline passes. */
  private async waitSettled(key: string, until: number): Promise<LedgerEntry | 'gone' | 'timeout'> {
    let pause = 10;
    for (;;) {
      const now = this.clock.now();
      if (now >= until) return 'timeout';
      await this.clock.sleep(Math.min(pause, until - now));
      pause = Math.min(250, Math.ceil(pause * 1.5));
      const e = await this.ledger.get(key, this.clock.now());
      if (!e) return 'gone';
      if (e.state !== 'in_flight') return e;
    }
  }

  /** The ledger entry of a key, with its delivery when queued. */
  async lookup(key: string): Promise<{ entry: LedgerEntry; delivery?: DeliveryRecord } | undefined> {
    const entry = await this.ledger.get(key, this.clock.now());
    if (!entry) return undefined;
    const delivery = entry.deliveryId ? await this.outbox?.get(entry.deliveryId) : undefined;
    return delivery ? { entry, delivery } : { entry };
  }

  /**
   * Operator's verdict on a key with an unknown outcome. Delivered: the key answers as succeeded.
   * Not delivered: a queued delivery goes back to pending (it is delivered again); a synchronous
   * request's key is released so the caller may send it again.
   */
  async resolve(key: string, delivered: boolean): Promise<LedgerEntry | undefined> {
    const now = this.clock.now();
    const entry = await this.ledger.get(key, now);
    if (!entry) return undefined;
    if (entry.deliveryId && this.outbox) {
      await this.outbox.resolve(entry.deliveryId, delivered, now);
    } else if (entry.state !== 'unknown_outcome') {
      throw new GatewayError('GW_INVALID_REQUEST', `Idempotency key "${key}" is ${entry.state}, not unknown_outcome: nothing to resolve`, {
        details: { idempotencyKey: key, state: entry.state },
      });
    } else if (delivered) {
      await this.ledger.settle(key, { state: 'succeeded', result: null, resolvedBy: 'operator' }, now);
    } else {
      await this.ledger.release(key);
    }
    return this.ledger.get(key, this.clock.now());
  }
}
