/** The types around TrackedProvider: options, events, outcomes, snapshots. */
import type { BreakerSnapshot } from './breaker.js';
import type { CallRecordSnapshot } from './call-record.js';
import type { Clock } from './clock.js';
import type { ErrorCode, FailureKind, GatewayError } from './errors.js';
import type { ProviderHealth, BreakerState } from './health.js';
import type { RateLimiter } from './limits.js';
import type { Logger } from './logger.js';
import type { BreakerPolicy, CooldownPolicy, HealthPolicy, ProviderLimits } from './policy.js';

export interface TrackedProviderOptions {
  capability: string;
  /** The configured provider type (a dry-run sandbox still reports `smtp`); defaults to the adapter's. */
  type?: string;
  /** Whether the capability has side effects (decides timeout vs unknown_outcome at the deadline). */
  sideEffects: boolean;
  clock: Clock;
  breaker: BreakerPolicy;
  health: HealthPolicy;
  cooldown: CooldownPolicy;
  limits: ProviderLimits;
  /** False when required settings are missing: the provider is UNKNOWN and never called. */
  configured?: boolean;
  /** The setting that is missing, for the skip reason and the recommendation. */
  missingSetting?: string;
  /** The `${VAR}` each option came from (option path -> variable name), so advice names the user's own variables. */
  optionVariables?: Readonly<Record<string, string>>;
  weight?: number;
  /** Recommendation hints from the provider type. */
  hints?: Readonly<Record<string, string>>;
  /** Overrides the local token bucket (a limiter shared between instances). */
  rateLimiter?: RateLimiter;
  random?: () => number;
  logger?: Logger;
}

export interface HealthChangeEvent {
  provider: string;
  capability: string;
  from: ProviderHealth;
  to: ProviderHealth;
  reason: string;
  at: number;
}

export interface BreakerChangeEvent {
  provider: string;
  capability: string;
  from: BreakerState;
  to: BreakerState;
  reason: string;
  at: number;
}

export interface ProbeOutcome {
  provider: string;
  capability: string;
  ok: boolean;
  skipped?: 'no_probe' | 'not_configured';
  latencyMs: number;
  /** `option`: the provider option at fault (a misconfigured probe), from the adapter's details. */
  error?: { code: ErrorCode; kind: FailureKind; message: string; retryAfterMs?: number; option?: string };
  metadata?: Record<string, unknown>;
  warnings?: string[];
  at: number;
}

/** Why a provider cannot be called right now. */
export interface Unavailable {
  code: ErrorCode;
  reason: string;
  /** When it may become available (epoch ms), when known. */
  until: number | null;
}

export type AttemptResult<T = unknown> =
  | { ok: true; value: T; latencyMs: number; endedAt: number }
  | { ok: false; error: GatewayError; latencyMs: number; local: boolean; endedAt?: number };

export interface AttemptOptions {
  idempotencyKey: string;
  /** When the gateway accepted the request (InvokeContext.acceptedAt). */
  acceptedAt: number;
  /** Invocation deadline; the attempt ends at the earlier of this and its own timeout. */
  deadline: number;
  attempt: number;
  logger: Logger;
  /** The panic rule's bounded trial: an open circuit admits this one call early, as a half-open call. */
  panicTrial?: boolean;
  /** Aborting it cancels the attempt (hedging stops the loser); a cancelled attempt never counts. */
  cancel?: AbortSignal;
  /** Wait for a turn when the provider's rate or concurrency is full (overflow `wait`); else refuse at once. */
  waitForTurn?: boolean;
}

/** What is saved to the store and restored at start: the breaker, the cool-down and the call record. */
export interface TrackedProviderSnapshot extends CallRecordSnapshot {
  provider: string;
  capability: string;
  breaker: BreakerSnapshot;
  cooldownUntil: number | null;
  cooldownKind: FailureKind | null;
  /** The kind holding the circuit open until a probe or an operator readmits (auth, misconfigured). */
  heldBy?: FailureKind | null;
}
