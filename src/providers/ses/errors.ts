/**
 * Amazon SES v2 error mapping, from what the SDK throws (shared/providers-esp.md §3.2): a service
 * exception named by its error code with `$metadata.httpStatusCode`, or a network / abort error.
 * SES has no idempotency key, so a send abandoned or cut after it left is `unknown_outcome`.
 */
import { GatewayError, type ErrorCode } from '../../core/errors.js';
import { scrubText } from '../http/scrub.js';

export interface SesErrorContext {
  provider: string;
  secrets: readonly (string | undefined)[];
  /** The call sends mail (SendEmail), not a read (GetAccount). */
  sideEffects: boolean;
  aborted: boolean;
  /** The sender came from the provider's `from` option. */
  fromOption: boolean;
}

/** A TooManyRequestsException waits a second (the per-second send rate); a daily quota an hour, until a probe sees room. */
const RATE_WAIT_MS = 1_000;
const DAILY_QUOTA_WAIT_MS = 3_600_000;

const AUTH = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'AccessDeniedException',
  'InvalidClientTokenId',
  'ExpiredTokenException',
  'IncompleteSignature',
  'MissingAuthenticationTokenException',
]);
/** Errors raised before any byte of the request can have left. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export function mapSesError(error: unknown, ctx: SesErrorContext): GatewayError {
  const e = (error ?? {}) as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number }; $fault?: string };
  const name = e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const text = scrubText(`SES answered ${status ?? 'no status'} ${name}${e.message ? `: ${e.message.slice(0, 300)}` : ''}`, ctx.secrets);
  const make = (code: ErrorCode, more: { retryAfterMs?: number; details?: Record<string, unknown> } = {}): GatewayError =>
    new GatewayError(code, text, {
      provider: ctx.provider,
      ...(status !== undefined ? { status } : {}),
      ...(more.retryAfterMs !== undefined ? { retryAfterMs: more.retryAfterMs } : {}),
      details: { providerCode: name, ...more.details },
    });

  if (status === undefined) {
    // No answer: aborted at the deadline, or a network failure.
    const code = e.code ?? (error as { cause?: { code?: string } })?.cause?.code;
    const where = `SES ${ctx.sideEffects ? 'send' : 'call'}`;
    if (ctx.aborted || name === 'AbortError' || name === 'TimeoutError') {
      return ctx.sideEffects
        ? new GatewayError('GW_UNKNOWN_OUTCOME', `${where} abandoned at the attempt deadline; SES may have sent it`, {
            provider: ctx.provider,
          })
        : new GatewayError('GW_PROVIDER_TIMEOUT', `${where} did not answer before the attempt deadline`, { provider: ctx.provider });
    }
    if (ctx.sideEffects && !(code && NOT_SENT.has(code))) {
      return new GatewayError('GW_UNKNOWN_OUTCOME', `${where}: connection lost (${code ?? name}); SES may have sent it`, {
        provider: ctx.provider,
        details: { networkCode: code },
      });
    }
    return new GatewayError('GW_PROVIDER_TRANSIENT', scrubText(`${where}: ${code ?? name}`, ctx.secrets), {
      provider: ctx.provider,
      details: { networkCode: code },
    });
  }
  if (name === 'TooManyRequestsException' || name === 'Throttling' || status === 429) {
    // The rolling 24-hour quota is also answered this way [unverified wording].
    if (/daily (message )?quota/i.test(e.message ?? '')) return make('GW_PROVIDER_QUOTA', { retryAfterMs: DAILY_QUOTA_WAIT_MS });
    return make('GW_PROVIDER_RATE_LIMITED', { retryAfterMs: RATE_WAIT_MS });
  }
  if (AUTH.has(name) || status === 401 || status === 403) return make('GW_PROVIDER_AUTH');
  if (name === 'SendingPausedException' || name === 'AccountSuspendedException' || name === 'LimitExceededException')
    return make('GW_PROVIDER_QUOTA');
  if (name === 'MailFromDomainNotVerifiedException')
    return ctx.fromOption
      ? make('GW_PROVIDER_MISCONFIGURED', { details: { option: 'from' } })
      : make('GW_PROVIDER_REJECTED', { details: { field: 'from' } });
  if (name === 'NotFoundException') return make('GW_PROVIDER_MISCONFIGURED', { details: { option: 'configurationSetName' } });
  if (name === 'MessageRejected' || name === 'BadRequestException' || status === 400) return make('GW_PROVIDER_REJECTED');
  if (status >= 500 || e.$fault === 'server') return make('GW_PROVIDER_TRANSIENT');
  return make('GW_PROVIDER_BAD_RESPONSE');
}
