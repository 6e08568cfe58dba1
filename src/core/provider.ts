/**
 * The adapter contract: one required method, two optional ones.
 * An adapter throws GatewayError (with the kind decided at its boundary) on failure.
 */
import type { Logger } from './logger.js';

/**
 * What a provider said about its own rate limit on one answer (success or failure), in one shape
 * for every adapter: the pacer and the dashboard read it. Report the tightest window.
 */
export interface RateLimitState {
  /** Requests (or, for usage-percent providers, percent) left in the window; null when the provider did not say. */
  remaining: number | null;
  /** The window's size in the same unit; null when unknown. */
  limit: number | null;
  /** Epoch ms when the window resets; null when unknown. */
  resetAt: number | null;
  /** The window as the provider names it: `minute`, `hour`, `day`, `10s`, `15min`, `24h`, `usage%`, `credits`. */
  window: string;
}

export interface InvokeContext {
  /** Fires at the attempt deadline (or when the invocation is abandoned). Pass it to every I/O call. */
  readonly signal: AbortSignal;
  /** The same for every attempt of one invocation; adapters use it to deduplicate (Message-ID, webhook-id). */
  readonly idempotencyKey: string;
  /** Epoch ms when the gateway accepted the request: the same for every attempt and every outbox retry. */
  readonly acceptedAt: number;
  /** Epoch milliseconds (on the gateway clock) when this attempt is abandoned. */
  readonly deadline: number;
  /** 1-based attempt number within the invocation. */
  readonly attempt: number;
  readonly capability: string;
  readonly provider: string;
  readonly logger: Logger;
  /** Tells the engine the provider's rate-limit state from this answer's headers or body. */
  readonly reportRateLimit?: (state: RateLimitState) => void;
}

export interface ProbeContext {
  readonly signal: AbortSignal;
  readonly deadline: number;
  readonly provider: string;
  readonly logger: Logger;
  readonly reportRateLimit?: (state: RateLimitState) => void;
}

/** What a successful probe reports: counts, versions, credits; never secrets. */
export interface ProbeResult {
  readonly metadata?: Record<string, unknown>;
  /** Warnings the operator should see although the probe passed (e.g. plain-text SMTP allowed). */
  readonly warnings?: readonly string[];
  /** The probe read the provider's balance: true when credits are above zero (ends a quota cool-down at once). */
  readonly quotaAvailable?: boolean;
}

export interface Provider<Req = unknown, Res = unknown> {
  /** The configured provider name (`smtp_gmail`). */
  readonly name: string;
  /** The adapter type (`smtp`, `sandbox`). */
  readonly type: string;
  /**
   * True when the provider itself deduplicates by the idempotency key (a webhook receiver keyed
   * on webhook-id, SMTP Message-ID seen by our own sandbox) or the write is idempotent (a CRM
   * upsert). Only then may the chain fail over after an `unknown_outcome` on a side-effecting
   * capability, or a worker call again after a crash mid-call.
   */
  readonly deduplicates?: boolean;
  /** Decides `deduplicates` per request when present (an Airtable upsert is safe to repeat, a plain create is not). */
  deduplicatesRequest?(request: Req): boolean;
  /**
   * True when the probe exercises the same operation as real calls (so with no traffic, a
   * passing probe may close a circuit that real calls opened). Otherwise a passing probe only
   * lets the next real call decide.
   */
  readonly probeMatchesTraffic?: boolean;
  invoke(request: Req, ctx: InvokeContext): Promise<Res>;
  probe?(ctx: ProbeContext): Promise<ProbeResult | void>;
  close?(): Promise<void>;
}
