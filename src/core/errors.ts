/**
 * GatewayError, its failure kinds and the code registry.
 *
 * The *kind* decides what the engine does (fail over, count against health, cool down);
 * the *code* says precisely what happened and is what callers and tests match on.
 * Every code is documented in docs/errors.md.
 */

export const FAILURE_KINDS = [
  'transient',
  'timeout',
  'rate_limited',
  'auth',
  'quota',
  'invalid_request',
  'misconfigured',
  'unknown_outcome',
  'not_configured',
  'rejected_local',
] as const;

export type FailureKind = (typeof FAILURE_KINDS)[number];

interface CodeInfo {
  readonly kind: FailureKind;
  readonly description: string;
}

/** The code registry: every code the gateway produces, with its default kind. */
export const ERROR_CODES = {
  // Request validation and caller errors
  GW_INVALID_REQUEST: {
    kind: 'invalid_request',
    description: 'The request failed the capability schema; details lists each field path and reason.',
  },
  GW_UNKNOWN_CAPABILITY: { kind: 'invalid_request', description: 'No chain is registered for the capability.' },
  GW_UNKNOWN_PROVIDER: { kind: 'invalid_request', description: 'No provider of that name is configured.' },
  GW_IDEMPOTENCY_MISMATCH: { kind: 'invalid_request', description: 'The idempotency key was used before with a different request.' },
  GW_IDEMPOTENCY_IN_FLIGHT: { kind: 'rejected_local', description: 'A request with the same idempotency key is still in flight.' },
  GW_CONFIG_INVALID: { kind: 'invalid_request', description: 'The configuration failed validation; details lists each path and reason.' },

  // Provider outcomes (decided by the adapter)
  GW_PROVIDER_TRANSIENT: { kind: 'transient', description: 'Network error, 5xx or SMTP 4xx: worth retrying elsewhere or later.' },
  GW_PROVIDER_TIMEOUT: { kind: 'timeout', description: 'The attempt deadline passed before the provider answered.' },
  GW_PROVIDER_RATE_LIMITED: {
    kind: 'rate_limited',
    description: 'The provider throttled us; retryAfterMs carries its reset time when known.',
  },
  GW_PROVIDER_AUTH: { kind: 'auth', description: 'The provider refused the credentials (401/403, SMTP 535, IMAP login refused).' },
  GW_PROVIDER_QUOTA: { kind: 'quota', description: 'Credits exhausted or a daily cap reached.' },
  GW_PROVIDER_REJECTED: {
    kind: 'invalid_request',
    description: 'The provider rejected the request as invalid (400/422, SMTP 550 unknown mailbox).',
  },
  GW_PROVIDER_DUPLICATE: {
    kind: 'invalid_request',
    description: 'The provider recognised the request as a duplicate of an earlier one (LinkedIn DUPLICATE_POST, X duplicate content).',
  },
  GW_PROVIDER_GONE: {
    kind: 'misconfigured',
    description: 'The configured destination is gone (HTTP 410): change or remove it in the provider options.',
  },
  GW_PROVIDER_VERSION_RETIRED: {
    kind: 'misconfigured',
    description: 'The configured API version is retired (LinkedIn 426): the provider cannot work until its version option is updated.',
  },
  GW_PROVIDER_MISCONFIGURED: {
    kind: 'misconfigured',
    description:
      "The provider's own setup is wrong (a configured base, page, endpoint or account id it does not know); details.option names the setting.",
  },
  GW_PROVIDER_BAD_RESPONSE: {
    kind: 'transient',
    description: 'The provider answered with a body that does not match its documented shape.',
  },
  GW_UNKNOWN_OUTCOME: {
    kind: 'unknown_outcome',
    description: 'The request may have reached the provider; it is not retried elsewhere to avoid a duplicate send.',
  },
  GW_NOT_CONFIGURED: { kind: 'not_configured', description: 'A required setting (credential, host) of the provider is missing.' },
  GW_SUPPRESSED: {
    kind: 'invalid_request',
    description:
      'Every recipient of the email is on the suppression list (hard bounce, complaint, unsubscribe, manual); details.suppressed names each address and why. Nothing was sent.',
  },
  GW_DESTINATION_REFUSED: {
    kind: 'invalid_request',
    description: 'The destination URL is refused by the destination guard (private, loopback or metadata address, or plain HTTP).',
  },

  // Local rejections: never count against a provider
  GW_CIRCUIT_OPEN: { kind: 'rejected_local', description: "The provider's circuit is open (or isolated by an operator)." },
  GW_HALF_OPEN_BUSY: { kind: 'rejected_local', description: 'The circuit is half-open and its probe permits are taken.' },
  GW_CONCURRENCY_LIMIT: { kind: 'rejected_local', description: "The provider's concurrency limit and queue are full." },
  GW_LOCAL_RATE_LIMIT: { kind: 'rejected_local', description: "The provider's configured rate limit is spent for now." },
  GW_COOLING_DOWN: {
    kind: 'rejected_local',
    description: 'The provider is cooling down after a rate limit or quota signal until its reset time.',
  },
  GW_BUDGET_EXHAUSTED: { kind: 'rejected_local', description: 'The retry/failover budget is spent; no further attempt was made.' },
  GW_DEMOTED: { kind: 'rejected_local', description: 'Not tried: a healthier provider was ordered first and served (priority strategy).' },
  GW_CANCELLED: { kind: 'rejected_local', description: 'The attempt was cancelled because a hedged attempt succeeded first.' },
  GW_DEADLINE_EXCEEDED: { kind: 'timeout', description: 'The invocation deadline passed.' },

  // Chain-level results
  GW_ALL_PROVIDERS_FAILED: {
    kind: 'transient',
    description: 'Every provider of the chain failed or was skipped; attempts lists each one.',
  },
  GW_NO_USABLE_PROVIDER: {
    kind: 'rejected_local',
    description:
      'No provider is usable and the panic rule called none (no trial was allowed); retryAfterMs says when the earliest becomes usable.',
  },
  GW_INTERNAL: { kind: 'transient', description: 'An unexpected error inside the gateway or an adapter; it is a bug.' },
} as const satisfies Record<string, CodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface GatewayErrorOptions {
  kind?: FailureKind;
  provider?: string;
  capability?: string;
  /** HTTP status or SMTP reply code the provider answered with. */
  status?: number;
  /** When the provider may be tried again, from its own signal (Retry-After, reset headers). */
  retryAfterMs?: number;
  /** Field problems, provider codes and other structured facts. Never secrets. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class GatewayError extends Error {
  override readonly name: string = 'GatewayError';
  readonly code: ErrorCode;
  readonly kind: FailureKind;
  readonly provider?: string;
  readonly capability?: string;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.kind = options.kind ?? ERROR_CODES[code].kind;
    if (options.provider !== undefined) this.provider = options.provider;
    if (options.capability !== undefined) this.capability = options.capability;
    if (options.status !== undefined) this.status = options.status;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = Math.max(0, Math.round(options.retryAfterMs));
    if (options.details !== undefined) this.details = options.details;
  }

  toJSON(): GatewayErrorJSON {
    const out: GatewayErrorJSON = { name: this.name, code: this.code, kind: this.kind, message: this.message };
    if (this.provider !== undefined) out.provider = this.provider;
    if (this.capability !== undefined) out.capability = this.capability;
    if (this.status !== undefined) out.status = this.status;
    if (this.retryAfterMs !== undefined) out.retryAfterMs = this.retryAfterMs;
    if (this.details !== undefined) out.details = this.details;
    return out;
  }
}

export interface GatewayErrorJSON {
  name: string;
  code: ErrorCode;
  kind: FailureKind;
  message: string;
  provider?: string;
  capability?: string;
  status?: number;
  retryAfterMs?: number;
  details?: Record<string, unknown>;
}

export function isGatewayError(value: unknown): value is GatewayError {
  return value instanceof GatewayError;
}

/** The generic provider code for each kind, for adapters (and sandboxes) that have nothing more precise. */
export const PROVIDER_CODE_FOR_KIND: Readonly<Record<FailureKind, ErrorCode>> = {
  transient: 'GW_PROVIDER_TRANSIENT',
  timeout: 'GW_PROVIDER_TIMEOUT',
  rate_limited: 'GW_PROVIDER_RATE_LIMITED',
  auth: 'GW_PROVIDER_AUTH',
  quota: 'GW_PROVIDER_QUOTA',
  invalid_request: 'GW_PROVIDER_REJECTED',
  misconfigured: 'GW_PROVIDER_MISCONFIGURED',
  unknown_outcome: 'GW_UNKNOWN_OUTCOME',
  not_configured: 'GW_NOT_CONFIGURED',
  rejected_local: 'GW_CIRCUIT_OPEN',
};

/** Kinds after which the chain moves on to the next provider. */
export function failsOver(kind: FailureKind): boolean {
  return kind !== 'invalid_request' && kind !== 'unknown_outcome';
}

/**
 * Turns anything thrown by an adapter into a GatewayError. Adapters are expected to throw
 * GatewayError; anything else is a bug in the adapter and is reported as GW_INTERNAL with
 * a generic message, so a raw error text (which may carry a secret) never leaves.
 */
export function toGatewayError(error: unknown, provider?: string, capability?: string): GatewayError {
  if (error instanceof GatewayError) return error;
  const opts: GatewayErrorOptions = { cause: error };
  if (provider !== undefined) opts.provider = provider;
  if (capability !== undefined) opts.capability = capability;
  const name = error instanceof Error ? error.name : typeof error;
  return new GatewayError('GW_INTERNAL', `Unexpected ${name} from provider adapter`, opts);
}
