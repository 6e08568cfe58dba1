/**
 * The dry-run provider: validates the request, records what it would have done, returns a
 * realistic result, and obeys fault injection (error rates per kind, latency, hangs, outage
 * windows, a provider-side rate limit with a reset time).
 */
import {
  emailVerificationBatchResultOf,
  getCapability,
  leadEnrichmentBatchResultOf,
  personOutcome,
  type CrmSyncRequest,
  type EmailSendingRequest,
  type EmailVerificationRequest,
  type LeadEnrichmentPerson,
  type LeadEnrichmentRequest,
  type SocialPostRequest,
} from '../../capabilities/index.js';
import type { Clock } from '../../core/clock.js';
import { GatewayError, PROVIDER_CODE_FOR_KIND, type FailureKind } from '../../core/errors.js';
import type { InvokeContext, Provider, ProbeContext, ProbeResult } from '../../core/provider.js';
import type { SandboxOptions } from './options.js';
import { crmResult, emailResult, enrichmentResult, socialResult, verificationResult, webhookResult } from './results.js';

export interface SandboxRecord {
  idempotencyKey: string;
  capability: string;
  provider: string;
  at: number;
  request: unknown;
  result: unknown;
  /** True when this key had already been acted on (a duplicate delivery). */
  duplicate: boolean;
  /** The request's size as JSON: what it counts against keepRecordBytes. */
  bytes: number;
}

const MAX_KEYS = 100_000;

export class SandboxProvider implements Provider {
  readonly type = 'sandbox';
  readonly deduplicates: boolean;
  /** What the sandbox would have done, newest last (at most keepRecords records and keepRecordBytes of requests). */
  readonly records: SandboxRecord[] = [];
  private recordBytes = 0;
  /** Total calls that reached the sandbox. */
  calls = 0;
  /** Deliveries per idempotency key, in two generations so the newest 50,000 to 100,000 keys are kept in O(1). */
  private deliveriesNow = new Map<string, number>();
  private deliveriesBefore = new Map<string, number>();
  private readonly started: number;
  private readonly random: () => number;
  private readonly crmKnown = new Set<string>();
  private windowStart = 0;
  private windowCount = 0;
  private forcedFailure: FailureKind | null = null;

  constructor(
    readonly name: string,
    private readonly options: SandboxOptions,
    private readonly clock: Clock,
    /** Called for every delivery, e.g. to append it to a durable log. */
    private readonly onDeliver?: (record: SandboxRecord) => void,
  ) {
    this.deduplicates = options.deduplicates;
    this.started = clock.now();
    this.random = options.seed === undefined ? Math.random : mulberry32(options.seed);
  }

  /** How many times the sandbox acted on this idempotency key (0 = never, 2+ = duplicates). */
  deliveryCount(key: string): number {
    return this.deliveriesNow.get(key) ?? this.deliveriesBefore.get(key) ?? 0;
  }

  /** Read-only view for tests and tools: deliveries per key, and how many keys. */
  get deliveries(): { get(key: string): number | undefined; readonly size: number } {
    const count = (key: string): number | undefined => this.deliveryCount(key) || undefined;
    return { get: count, size: this.deliveredKeys };
  }

  /** Distinct keys delivered (within the kept generations). */
  get deliveredKeys(): number {
    let n = this.deliveriesNow.size;
    for (const k of this.deliveriesBefore.keys()) if (!this.deliveriesNow.has(k)) n++;
    return n;
  }

  private recordDelivery(key: string, count: number): void {
    this.deliveriesNow.set(key, count);
    if (this.deliveriesNow.size >= MAX_KEYS / 2) {
      this.deliveriesBefore = this.deliveriesNow;
      this.deliveriesNow = new Map();
    }
  }

  /** Makes every call fail with `kind` until cleared with null (tests and the dashboard demo). */
  setFailure(kind: FailureKind | null): void {
    this.forcedFailure = kind;
  }

  async invoke(request: unknown, ctx: InvokeContext): Promise<unknown> {
    this.calls++;
    const capability = getCapability(ctx.capability);
    if (!capability)
      throw new GatewayError('GW_PROVIDER_REJECTED', `sandbox does not know capability ${ctx.capability}`, { provider: this.name });
    const ms = this.latency();
    if (ms > 0) await this.delay(ms, ctx);
    this.injectFaults(ctx);
    if (this.random() < this.options.hangRate) await this.hang(ctx, capability.sideEffects);
    const previous = this.deliveryCount(ctx.idempotencyKey);
    const result = this.result(ctx, request);
    if (this.deduplicates && previous > 0) return result;
    this.recordDelivery(ctx.idempotencyKey, previous + 1);
    const keep = this.options.keepRecords;
    if (keep === 0 && !this.onDeliver) return result;
    // The record is bounded in count and in bytes, so a dry run never keeps large bodies alive.
    const bytes = JSON.stringify(request)?.length ?? 0;
    const budget = this.options.keepRecordBytes;
    const kept = bytes <= budget ? request : { omitted: `request of ${bytes} bytes is larger than keepRecordBytes (${budget})` };
    const record: SandboxRecord = {
      idempotencyKey: ctx.idempotencyKey,
      capability: ctx.capability,
      provider: this.name,
      at: this.clock.now(),
      request: kept,
      result,
      duplicate: previous > 0,
      bytes: Math.min(bytes, budget),
    };
    if (keep > 0) {
      this.records.push(record);
      this.recordBytes += record.bytes;
      while (this.records.length > keep || this.recordBytes > budget) this.recordBytes -= this.records.shift()!.bytes;
    }
    this.onDeliver?.(record);
    return result;
  }

  async probe(_ctx: ProbeContext): Promise<ProbeResult> {
    const outage = this.outageKind();
    if (this.forcedFailure) throw this.failure(this.forcedFailure, 'forced failure');
    if (outage) throw this.failure(outage, 'sandbox outage window');
    if (this.options.probeFails) throw this.failure(this.options.probeFails, 'sandbox probe configured to fail');
    return { metadata: { sandbox: true, calls: this.calls, delivered: this.deliveredKeys } };
  }

  private injectFaults(ctx: InvokeContext): void {
    if (this.forcedFailure) throw this.failure(this.forcedFailure, 'forced failure');
    const outage = this.outageKind();
    if (outage) throw this.failure(outage, 'sandbox outage window');
    const rl = this.options.rateLimit;
    if (rl) {
      const now = this.clock.now();
      if (now - this.windowStart >= rl.windowMs) {
        this.windowStart = now;
        this.windowCount = 0;
      }
      this.windowCount++;
      const resetAt = this.windowStart + rl.windowMs;
      // Like a provider's rate-limit headers: the simulated window's state on every answer.
      ctx.reportRateLimit?.({ window: `${rl.windowMs}ms`, remaining: Math.max(0, rl.limit - this.windowCount), limit: rl.limit, resetAt });
      if (this.windowCount > rl.limit) {
        throw this.failure('rate_limited', `sandbox rate limit of ${rl.limit} per ${rl.windowMs} ms`, resetAt - now);
      }
    }
    for (const kind in this.options.errorRate) {
      const rate = this.options.errorRate[kind];
      if (rate && this.random() < rate) throw this.failure(kind as FailureKind, `injected ${kind} (rate ${rate})`);
    }
  }

  private outageKind(): FailureKind | null {
    const elapsed = (this.clock.now() - this.started) / 1000;
    for (const o of this.options.outages) {
      if (elapsed < o.afterSec) continue;
      const t = o.everySec ? (elapsed - o.afterSec) % o.everySec : elapsed - o.afterSec;
      if (t < o.durationSec) return o.kind as FailureKind;
    }
    return null;
  }

  private failure(kind: FailureKind, message: string, retryAfterMs?: number): GatewayError {
    const opts: ConstructorParameters<typeof GatewayError>[2] = { provider: this.name, kind };
    if (kind === 'rate_limited') opts.retryAfterMs = retryAfterMs ?? 1_000;
    return new GatewayError(PROVIDER_CODE_FOR_KIND[kind], `sandbox: ${message}`, opts);
  }

  private latency(): number {
    const l = this.options.latencyMs;
    return typeof l === 'number' ? l : l.min + this.random() * Math.max(0, l.max - l.min);
  }

  private async delay(ms: number, ctx: InvokeContext): Promise<void> {
    await this.clock.sleep(ms, ctx.signal);
    if (ctx.signal.aborted)
      throw new GatewayError('GW_PROVIDER_TIMEOUT', 'sandbox: deadline reached while waiting', { provider: this.name });
  }

  private hang(ctx: InvokeContext, sideEffects: boolean): Promise<never> {
    return new Promise((_, reject) => {
      const fail = (): void =>
        reject(
          sideEffects
            ? new GatewayError('GW_UNKNOWN_OUTCOME', 'sandbox: hung after the request was sent', { provider: this.name })
            : new GatewayError('GW_PROVIDER_TIMEOUT', 'sandbox: hung until the deadline', { provider: this.name }),
        );
      if (ctx.signal.aborted) fail();
      else ctx.signal.addEventListener('abort', fail, { once: true });
    });
  }

  private result(ctx: InvokeContext, req: unknown): unknown {
    switch (ctx.capability) {
      case 'email_sending':
        return emailResult(req as EmailSendingRequest, ctx.idempotencyKey);
      case 'social_posting_linkedin':
      case 'social_posting_x':
      case 'social_posting_facebook':
        return socialResult(ctx.capability, req as SocialPostRequest, ctx.idempotencyKey);
      case 'crm_sync':
        return crmResult(req as CrmSyncRequest, this.crmKnown, ctx.idempotencyKey);
      case 'lead_enrichment': {
        const { people } = req as LeadEnrichmentRequest;
        if (!people) return enrichmentResult(req as LeadEnrichmentPerson, this.name);
        return leadEnrichmentBatchResultOf(people.map((p, i) => personOutcome(i, enrichmentResult(p, this.name))));
      }
      case 'email_verification': {
        const { email, emails } = req as EmailVerificationRequest;
        if (!emails) return verificationResult(email!);
        return emailVerificationBatchResultOf(emails.map((e, index) => ({ index, status: 'verified', result: verificationResult(e) })));
      }
      case 'reply_fetching':
        return { messages: [], cursor: `sandbox:${this.name}:0`, hasMore: false };
      default:
        return webhookResult(ctx.idempotencyKey, this.clock.now());
    }
  }
}

/** Small seeded PRNG for reproducible fault injection. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
