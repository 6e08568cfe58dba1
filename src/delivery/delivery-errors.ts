/** Errors the ledger answers with, and which failures may go to the outbox. */
import { failsOver, GatewayError, toGatewayError, type GatewayErrorJSON } from '../core/errors.js';
import { InvocationError } from '../core/invocation.js';
import type { LedgerEntry } from './ledger.js';
import type { DeliveryError } from './outbox.js';

export function mismatch(entry: LedgerEntry, capability: string): GatewayError {
  return new GatewayError('GW_IDEMPOTENCY_MISMATCH', `Idempotency key "${entry.key}" was used before with a different request`, {
    capability,
    status: 422,
    details: { idempotencyKey: entry.key, firstUsedAt: new Date(entry.createdAt).toISOString(), originalCapability: entry.capability },
  });
}

export function inFlight(key: string, capability: string, deliveryId?: string): GatewayError {
  const details: Record<string, unknown> = { idempotencyKey: key };
  if (deliveryId) details.deliveryId = deliveryId;
  return new GatewayError(
    'GW_IDEMPOTENCY_IN_FLIGHT',
    deliveryId
      ? `The request with idempotency key "${key}" is queued in the outbox (${deliveryId})`
      : `A request with idempotency key "${key}" is still in flight`,
    {
      capability,
      status: 409,
      details,
    },
  );
}

/** The stored failure of a key (failed permanently or unknown outcome), thrown again on a replay. */
export function replayedError(entry: LedgerEntry): GatewayError {
  const e: GatewayErrorJSON = entry.error ?? {
    name: 'GatewayError',
    code: 'GW_UNKNOWN_OUTCOME',
    kind: 'unknown_outcome',
    message: 'outcome unknown',
  };
  const details: Record<string, unknown> = { ...e.details, idempotencyKey: entry.key, ledgerState: entry.state, replayed: true };
  if (entry.deliveryId) details.deliveryId = entry.deliveryId;
  const opts: ConstructorParameters<typeof GatewayError>[2] = { kind: e.kind, capability: entry.capability, details };
  if (e.provider) opts.provider = e.provider;
  return new GatewayError(e.code, e.message, opts);
}

export function errorJson(error: GatewayError): GatewayErrorJSON {
  const json = error.toJSON();
  if (json.details && 'attempts' in json.details) {
    const { attempts, ...rest } = json.details;
    json.details = { ...rest, attempts: Array.isArray(attempts) ? attempts.length : attempts };
  }
  return json;
}

export function deliveryError(error: unknown): DeliveryError {
  const e = toGatewayError(error);
  return { code: e.code, kind: e.kind, message: e.message };
}

/**
 * A failure the outbox may take over: the chain gave up with failover kinds only (nothing may
 * have been sent: no unknown_outcome among the attempts).
 */
export function queueable(error: unknown): boolean {
  if (!(error instanceof InvocationError)) return false;
  if (!['GW_ALL_PROVIDERS_FAILED', 'GW_NO_USABLE_PROVIDER', 'GW_DEADLINE_EXCEEDED'].includes(error.code)) return false;
  return error.attempts.every((a) => a.outcome === 'skipped' || (a.outcome !== 'success' && failsOver(a.outcome)));
}

/** Any attempt may have reached the provider without a known outcome. */
export function mayHaveLanded(error: unknown): boolean {
  const e = toGatewayError(error);
  if (e.kind === 'unknown_outcome') return true;
  return error instanceof InvocationError && error.attempts.some((a) => a.outcome === 'unknown_outcome');
}
