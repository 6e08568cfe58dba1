/** What one invocation returns or throws: the result, the serving provider and the trace. */
import { GatewayError, type ErrorCode, type FailureKind } from './errors.js';

export interface AttemptRecord {
  provider: string;
  /** `success`, a failure kind, or `skipped` (not called: open circuit, cool-down, budget…). */
  outcome: 'success' | FailureKind | 'skipped';
  code?: ErrorCode;
  message?: string;
  latencyMs: number;
  retryAfterMs?: number;
  /** Set on panic attempts (every provider was unusable and the panic rule tried them anyway). */
  panic?: boolean;
  /** Set on an attempt started as a hedge of a slow primary. */
  hedge?: boolean;
}

export interface InvokeResult<T = unknown> {
  result: T;
  provider: string;
  attempts: AttemptRecord[];
  idempotencyKey: string;
  latencyMs: number;
}

export interface InvokeOptions {
  /** Given by the caller, or generated; passed to every attempt. */
  idempotencyKey?: string;
  /** Total deadline of this invocation (default from the chain policy). */
  deadlineMs?: number;
  /**
   * Epoch ms when the gateway accepted the request (default: when this invocation starts). The
   * outbox passes the original time on every retry, so a provider stamps an event the same way
   * on every attempt (a webhook body stays byte-identical under its webhook-id).
   */
  acceptedAt?: number;
  /**
   * Bulk work (a job's items): start at the usable provider whose turn comes first, so a job is
   * drained by every provider of the chain at once, each at its own pace, instead of queueing
   * behind the first. Providers whose turn comes equally soon keep the chain's order. Going to a
   * provider that was free is not a failover: nothing failed.
   */
  spread?: boolean;
}

/** An invocation that did not succeed; `attempts` says what was tried and why each failed. */
export class InvocationError extends GatewayError {
  override readonly name: string = 'InvocationError';
  readonly attempts: AttemptRecord[];
  readonly idempotencyKey: string;

  constructor(
    code: ErrorCode,
    message: string,
    attempts: AttemptRecord[],
    idempotencyKey: string,
    options: ConstructorParameters<typeof GatewayError>[2] = {},
  ) {
    super(code, message, { ...options, details: { ...options.details, attempts } });
    this.attempts = attempts;
    this.idempotencyKey = idempotencyKey;
  }
}

/** Every provider failed or was skipped. */
export class AllProvidersFailedError extends InvocationError {
  override readonly name: string = 'AllProvidersFailedError';
}

/** The kind of a chain-level failure: a shared rate-limit/quota kind when all failures agree, else transient. */
export function summaryKind(attempts: readonly AttemptRecord[]): FailureKind {
  const kinds = new Set(attempts.filter((a) => a.outcome !== 'skipped' && a.outcome !== 'success').map((a) => a.outcome as FailureKind));
  if (kinds.size === 1) {
    const only = [...kinds][0]!;
    if (only === 'rate_limited' || only === 'quota' || only === 'auth' || only === 'timeout') return only;
  }
  return kinds.size === 0 ? 'rejected_local' : 'transient';
}
