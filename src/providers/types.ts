/**
 * What a provider type (one folder under src/providers/) declares: its options schema with the
 * secret fields named, the capabilities it serves, its default limits, its recommendation hints
 * and a factory. src/providers/index.ts maps type names to these definitions.
 */
import type { z } from 'zod';
import type { CapabilityName } from '../capabilities/index.js';
import type { Clock } from '../core/clock.js';
import type { FailureKind } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Provider } from '../core/provider.js';
import type { MailEventSink } from '../store/mail-data.js';
import type { ProviderState, SentMailLog } from '../store/provider-data.js';

export type { ProviderState, SentMailLog } from '../store/provider-data.js';

/** Small durable key-value state owned by one provider (IMAP cursors, LinkedIn post records). */
export interface ProviderDeps {
  readonly logger: Logger;
  readonly clock: Clock;
  readonly state: ProviderState;
  readonly sentMail: SentMailLog;
  /** Where mail events an adapter finds go (IMAP: bounce messages); none outside a gateway. */
  readonly mailEvents?: MailEventSink;
}

/** Advice the monitoring rules attach to recommendations, per failure kind; `{provider}` is replaced. */
export type RecommendationHints = Partial<Record<FailureKind | 'slow' | 'insecure' | 'no_probe', string>>;

interface ProviderLimitsDefaults {
  /** Requests per second the provider allows (token bucket refill rate). */
  ratePerSecond?: number;
  burst?: number;
  concurrency?: number;
  attemptTimeoutMs?: number;
  /**
   * The shortest invocation deadline in which a call can finish (an asynchronous API that asks
   * callers to wait between polls). A chain without its own `deadlineMs` takes at least this;
   * one configured shorter gets a warning at load naming the option.
   */
  minDeadlineMs?: number;
}

export interface ProviderTypeDefinition<O = unknown> {
  readonly type: string;
  readonly description: string;
  readonly capabilities: readonly CapabilityName[];
  /** Validated once at config load; errors name the option path. */
  readonly options: z.ZodType<O>;
  /** Dotted option paths that hold secrets (`auth.pass`, `apiKey`): redacted wherever config is shown. */
  readonly secrets: readonly string[];
  /** Option paths that must be set for the provider to be usable; missing -> not_configured. */
  readonly required?: readonly string[];
  readonly defaults?: ProviderLimitsDefaults;
  readonly hints: RecommendationHints;
  create(name: string, options: O, deps: ProviderDeps): Provider;
}

export function defineProviderType<O>(def: ProviderTypeDefinition<O>): ProviderTypeDefinition<O> {
  return Object.freeze(def);
}
