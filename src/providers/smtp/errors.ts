/**
 * Maps a nodemailer error to a GatewayError by RFC 5321 reply class and by how far the
 * transaction got. Texts are scrubbed of credentials; the raw error is never attached.
 */
import { GatewayError, type ErrorCode, type GatewayErrorOptions } from '../../core/errors.js';
import { scrubSecrets } from './mail-auth.js';
import { DEFAULT_THROTTLE_RETRY_MS, enhancedCode, isQuotaReply, isThrottleReply, retryAfterFromText } from './smtp-reply.js';

/** The fields nodemailer puts on its errors (lib/errors.js, smtp-connection `_formatError`). */
export interface NodemailerError {
  code?: string;
  originalCode?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  recipient?: string;
  rejectedErrors?: NodemailerError[];
}

export interface SmtpErrorContext {
  provider: string;
  capability: string;
  /** Message bytes started flowing to the server (its DATA reply was 354). */
  dataStarted: boolean;
  /** The attempt's AbortSignal fired. */
  aborted: boolean;
  secrets: readonly string[];
}

const CONNECTION_CODES = new Set(['ECONNECTION', 'ESOCKET', 'ETIMEDOUT', 'EDNS', 'ETLS', 'EPROXY', 'EMAXLIMIT']);
const AUTH_REPLY_CODES = new Set([530, 534, 535, 538]);

export function mapSmtpError(raw: unknown, ctx: SmtpErrorContext): GatewayError {
  const err = (raw ?? {}) as NodemailerError;
  const base: GatewayErrorOptions = { provider: ctx.provider, capability: ctx.capability };
  const details = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    ...(err.code ? { providerCode: err.code } : {}),
    ...(err.originalCode ? { networkCode: err.originalCode } : {}),
    ...(err.command ? { command: err.command } : {}),
    ...extra,
  });
  const make = (code: ErrorCode, message: string, more: GatewayErrorOptions = {}): GatewayError =>
    new GatewayError(code, scrubSecrets(message, ctx.secrets), { ...base, details: details(), ...more });

  if (ctx.aborted || err.code === 'EABORT') {
    return ctx.dataStarted
      ? make(
          'GW_UNKNOWN_OUTCOME',
          'SMTP send abandoned at the attempt deadline after the message data was sent; the server may have accepted it',
        )
      : make('GW_PROVIDER_TIMEOUT', 'SMTP server did not complete the transaction before the attempt deadline (no message data sent)');
  }

  const scrub = (text: string): string => scrubSecrets(text, ctx.secrets, 300);
  if (err.code === 'EENVELOPE' && err.rejectedErrors?.length) return mapRejectedRecipients(err.rejectedErrors, scrub, make, details);

  if (err.code === 'ETLS' || isCertificateError(err.originalCode)) {
    const reply = err.response ? scrub(err.response) : undefined;
    const why = reply ?? err.originalCode ?? err.code;
    return make('GW_PROVIDER_TRANSIENT', `SMTP TLS negotiation failed (${why}); a private certificate needs options.ca`, {
      ...(err.responseCode ? { status: err.responseCode } : {}),
      details: details({ tlsFailure: true, ...(reply ? { reply } : {}) }),
    });
  }

  const code = typeof err.responseCode === 'number' ? err.responseCode : undefined;
  if (code !== undefined && code >= 400) {
    const reply = scrub(err.response ?? String(code));
    return mapReply(code, reply, err, make, details);
  }

  if (err.code === 'ENOAUTH') return make('GW_NOT_CONFIGURED', 'SMTP credentials are missing (options.auth)');
  if (err.code === 'EAUTH' || err.code === 'EOAUTH2') return make('GW_PROVIDER_AUTH', 'SMTP authentication failed');
  if (err.code === 'EENVELOPE' || err.code === 'EMESSAGE' || err.code === 'EMAXRECIPIENTS') {
    return make('GW_PROVIDER_REJECTED', `SMTP message refused before sending: ${err.code}`);
  }
  if (ctx.dataStarted) {
    return make(
      'GW_UNKNOWN_OUTCOME',
      `SMTP connection lost after the message data was sent (${err.code ?? 'unknown error'}); the server may have accepted it`,
    );
  }
  if (err.code && CONNECTION_CODES.has(err.code)) {
    return make('GW_PROVIDER_TRANSIENT', `SMTP connection failed before the message was sent (${err.originalCode ?? err.code})`);
  }
  return make('GW_PROVIDER_TRANSIENT', `SMTP send failed before the message was sent (${err.code ?? 'unknown error'})`);
}

/** Node's certificate verification and TLS error codes. */
function isCertificateError(code: string | undefined): boolean {
  return code !== undefined && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|^ERR_TLS|^ERR_SSL|HOSTNAME|ALTNAME/.test(code);
}

type Make = (code: ErrorCode, message: string, more?: GatewayErrorOptions) => GatewayError;
type Details = (extra?: Record<string, unknown>) => Record<string, unknown>;

function mapReply(code: number, reply: string, err: NodemailerError, make: Make, details: Details): GatewayError {
  const command = err.command ?? 'SMTP';
  const enhanced = enhancedCode(reply);
  const d = details({ reply, ...(enhanced ? { enhancedCode: enhanced } : {}) });
  const message = `SMTP ${command} refused: ${reply}`;
  if (isQuotaReply(code, reply)) {
    const retryAfterMs = retryAfterFromText(reply);
    return make('GW_PROVIDER_QUOTA', message, { status: code, details: d, ...(retryAfterMs ? { retryAfterMs } : {}) });
  }
  if (code < 500) {
    if (isThrottleReply(code, reply)) {
      return make('GW_PROVIDER_RATE_LIMITED', message, {
        status: code,
        details: d,
        retryAfterMs: retryAfterFromText(reply) ?? DEFAULT_THROTTLE_RETRY_MS,
      });
    }
    return make('GW_PROVIDER_TRANSIENT', message, { status: code, details: d });
  }
  if (AUTH_REPLY_CODES.has(code) || /^AUTH/i.test(command)) return make('GW_PROVIDER_AUTH', message, { status: code, details: d });
  // 552 to RCPT is "too many recipients" (RFC 5321 §4.5.3.1.10): treat as 452.
  if (code === 552 && command === 'RCPT TO') return make('GW_PROVIDER_TRANSIENT', message, { status: code, details: d });
  // A 5xx before the transaction (greeting, EHLO, STARTTLS) refuses this client, not the message.
  if (['CONN', 'EHLO', 'HELO', 'LHLO', 'STARTTLS'].includes(command))
    return make('GW_PROVIDER_TRANSIENT', message, { status: code, details: d });
  return make('GW_PROVIDER_REJECTED', message, { status: code, details: d });
}

function mapRejectedRecipients(rejected: NodemailerError[], scrub: (t: string) => string, make: Make, details: Details): GatewayError {
  const list = rejected.map((r) => ({ recipient: r.recipient, status: r.responseCode, reply: scrub(r.response ?? '') }));
  // A 4xx (or 552 "too many recipients") for any recipient means: try again later.
  const deferred = rejected.find((r) => (r.responseCode ?? 500) < 500 || r.responseCode === 552);
  const status = (deferred ?? rejected[0])?.responseCode;
  const reply = scrub((deferred ?? rejected[0])?.response ?? '');
  const d = details({ rejected: list });
  const statusOpt = status === undefined ? {} : { status };
  if (deferred && status !== undefined && status < 500 && isThrottleReply(status, reply)) {
    return make('GW_PROVIDER_RATE_LIMITED', `SMTP server throttled the recipients: ${reply}`, {
      ...statusOpt,
      details: d,
      retryAfterMs: retryAfterFromText(reply) ?? DEFAULT_THROTTLE_RETRY_MS,
    });
  }
  if (deferred) return make('GW_PROVIDER_TRANSIENT', `SMTP server deferred the recipients: ${reply}`, { ...statusOpt, details: d });
  const names = list.map((r) => r.recipient).join(', ');
  return make('GW_PROVIDER_REJECTED', `SMTP server rejected every recipient (${names}): ${reply}`, { ...statusOpt, details: d });
}
