/**
 * Maps an imapflow error to a GatewayError: login refused -> auth, ETHROTTLE -> rate_limited
 * (with the server's throttleReset), a missing mailbox -> invalid_request, an abort -> timeout,
 * everything on the connection -> transient. Texts are scrubbed; the raw error is not attached.
 */
import { GatewayError, type ErrorCode, type GatewayErrorOptions } from '../../core/errors.js';
import { scrubSecrets } from '../smtp/mail-auth.js';

/** The imapflow error fields this mapping reads (imapflow `ImapFlowError`). */
interface ImapErrorLike {
  code?: string;
  authenticationFailed?: boolean;
  serverResponseCode?: string;
  responseStatus?: string;
  responseText?: string;
  throttleReset?: number;
  mailboxMissing?: boolean;
  tlsFailed?: boolean;
}

export interface ImapErrorContext {
  provider: string;
  capability: string;
  aborted: boolean;
  secrets: readonly string[];
}

const DEFAULT_IMAP_THROTTLE_MS = 60_000;
const AUTH_CODES = new Set(['AUTHENTICATIONFAILED', 'AUTHORIZATIONFAILED', 'EXPIRED', 'PRIVACYREQUIRED', 'CONTACTADMIN']);
const CERT_CODE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|^ERR_TLS|^ERR_SSL|HOSTNAME|ALTNAME/;

export function mapImapError(raw: unknown, ctx: ImapErrorContext): GatewayError {
  if (raw instanceof GatewayError) return raw;
  const err = (raw ?? {}) as ImapErrorLike;
  const said = err.responseText ? scrubSecrets(err.responseText, ctx.secrets, 300) : undefined;
  const details: Record<string, unknown> = {
    ...(err.code ? { providerCode: err.code } : {}),
    ...(err.serverResponseCode ? { serverResponseCode: err.serverResponseCode } : {}),
    ...(said ? { response: said } : {}),
  };
  const make = (code: ErrorCode, message: string, more: GatewayErrorOptions = {}): GatewayError =>
    new GatewayError(code, scrubSecrets(message, ctx.secrets), { provider: ctx.provider, capability: ctx.capability, details, ...more });
  const what = said ? `: ${said}` : err.code ? ` (${err.code})` : '';

  if (ctx.aborted) return make('GW_PROVIDER_TIMEOUT', 'IMAP server did not complete before the attempt deadline');
  if (err.authenticationFailed || (err.serverResponseCode && AUTH_CODES.has(err.serverResponseCode))) {
    return make('GW_PROVIDER_AUTH', `IMAP login refused${what}`);
  }
  if (err.code === 'ETHROTTLE' || err.serverResponseCode === 'LIMIT') {
    return make('GW_PROVIDER_RATE_LIMITED', `IMAP server throttled the request${what}`, {
      retryAfterMs: err.throttleReset && err.throttleReset > 0 ? err.throttleReset : DEFAULT_IMAP_THROTTLE_MS,
    });
  }
  if (err.mailboxMissing || err.serverResponseCode === 'NONEXISTENT')
    return make('GW_PROVIDER_REJECTED', `IMAP mailbox does not exist${what}`);
  if (err.tlsFailed || (err.code && CERT_CODE.test(err.code))) {
    return make('GW_PROVIDER_TRANSIENT', `IMAP TLS negotiation failed${what}; a private certificate needs options.ca`, {
      details: { ...details, tlsFailure: true },
    });
  }
  return make('GW_PROVIDER_TRANSIENT', `IMAP request failed${what}`);
}
