/**
 * Maps anything a route throws to an HTTP status and a JSON body `{ error: {...} }`.
 * The mapping (documented in docs/api.md) goes by code first, then by failure kind. Raw
 * library errors never reach the body: an unexpected error is a generic 500.
 */
import type { ErrorCode, FailureKind } from '../core/errors.js';
import { isGatewayError } from '../core/errors.js';
import { InvocationError } from '../core/invocation.js';
import { HTTP_ERROR_CODES, HttpError } from './http-error.js';

interface ErrorBody {
  code: string;
  kind?: FailureKind;
  message: string;
  capability?: string;
  provider?: string;
  retryAfterMs?: number;
  /** Every field problem with its JSON path (400). */
  problems?: { path: string; message: string }[];
  /** What was tried and why each attempt failed (invocation errors). */
  attempts?: unknown[];
  idempotencyKey?: string;
  details?: Record<string, unknown>;
}

export interface ErrorReply {
  status: number;
  body: { error: ErrorBody };
  retryAfterMs?: number;
}

const BY_CODE: Partial<Record<ErrorCode, number>> = {
  GW_INVALID_REQUEST: 400,
  GW_CONFIG_INVALID: 400,
  GW_UNKNOWN_CAPABILITY: 404,
  GW_UNKNOWN_PROVIDER: 404,
  GW_IDEMPOTENCY_IN_FLIGHT: 409,
  GW_IDEMPOTENCY_MISMATCH: 422,
  GW_NO_USABLE_PROVIDER: 503,
  GW_ALL_PROVIDERS_FAILED: 503,
  GW_DEADLINE_EXCEEDED: 504,
  GW_INTERNAL: 500,
};

const BY_KIND: Record<FailureKind, number> = {
  invalid_request: 422,
  unknown_outcome: 502,
  transient: 502,
  auth: 502,
  misconfigured: 502,
  timeout: 504,
  rate_limited: 429,
  quota: 503,
  not_configured: 503,
  rejected_local: 503,
};

/** Statuses that mean "the capability cannot be served now": the reply carries the active recommendations. */
export function isUnavailable(reply: ErrorReply): boolean {
  return reply.status === 503 && reply.body.error.code.startsWith('GW_');
}

export function toErrorReply(error: unknown): ErrorReply {
  if (error instanceof HttpError) {
    const body: ErrorBody = { code: error.code, message: error.message };
    const reply: ErrorReply = { status: error.status, body: { error: body } };
    if (error.retryAfterMs !== undefined) {
      body.retryAfterMs = error.retryAfterMs;
      reply.retryAfterMs = error.retryAfterMs;
    }
    return reply;
  }
  if (isGatewayError(error)) {
    const { attempts, problems, ...rest } = error.details ?? {};
    const body: ErrorBody = { code: error.code, kind: error.kind, message: error.message };
    if (error.capability) body.capability = error.capability;
    if (error.provider) body.provider = error.provider;
    if (error.retryAfterMs !== undefined) body.retryAfterMs = error.retryAfterMs;
    if (Array.isArray(problems)) body.problems = problems as ErrorBody['problems'];
    if (error instanceof InvocationError) {
      body.attempts = error.attempts;
      body.idempotencyKey = error.idempotencyKey;
    } else if (Array.isArray(attempts)) body.attempts = attempts;
    if (Object.keys(rest).length) body.details = rest;
    const reply: ErrorReply = { status: BY_CODE[error.code] ?? BY_KIND[error.kind], body: { error: body } };
    if (error.retryAfterMs !== undefined) reply.retryAfterMs = error.retryAfterMs;
    return reply;
  }
  return fromFrameworkError(error);
}

/** Fastify's own errors (validation, limits, bad URLs) and anything unexpected; JSON bodies are parsed in json-body.ts. */
function fromFrameworkError(error: unknown): ErrorReply {
  const e = (error ?? {}) as {
    code?: string;
    statusCode?: number;
    validation?: { instancePath?: string; message?: string; params?: Record<string, unknown> }[];
    validationContext?: string;
  };
  if (Array.isArray(e.validation)) {
    const where = e.validationContext ?? 'body';
    const problems = e.validation.map((v) => ({ path: jsonPath(where, v.instancePath ?? '', v.params), message: v.message ?? 'invalid' }));
    return { status: 400, body: { error: { code: 'GW_INVALID_REQUEST', kind: 'invalid_request', message: `Invalid ${where}`, problems } } };
  }
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return http('HTTP_PAYLOAD_TOO_LARGE', 'The request body is larger than server.bodyLimitBytes');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return http('HTTP_UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json');
    case 'FST_ERR_BAD_URL':
      return {
        status: 400,
        body: {
          error: {
            code: 'GW_INVALID_REQUEST',
            kind: 'invalid_request',
            message: 'The URL is not valid (bad %-encoding)',
            problems: [{ path: '(url)', message: 'bad %-encoding' }],
          },
        },
      };
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return {
        status: 414,
        body: {
          error: {
            code: 'GW_INVALID_REQUEST',
            kind: 'invalid_request',
            message: 'A path segment of the URL is too long',
            problems: [{ path: '(url)', message: 'a path segment is longer than 100 characters' }],
          },
        },
      };
  }
  if (e.statusCode === 429) return http('HTTP_RATE_LIMITED', 'Rate limit exceeded for this key');
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return {
      status: e.statusCode,
      body: { error: { code: 'GW_INVALID_REQUEST', kind: 'invalid_request', message: 'The request was refused' } },
    };
  }
  return {
    status: 500,
    body: { error: { code: 'GW_INTERNAL', kind: 'transient', message: 'Internal error (see the server log for this request id)' } },
  };
}

function http(code: keyof typeof HTTP_ERROR_CODES, message: string): ErrorReply {
  return { status: HTTP_ERROR_CODES[code].status, body: { error: { code, message } } };
}

function jsonPath(where: string, instancePath: string, params?: Record<string, unknown>): string {
  const parts = instancePath.split('/').filter(Boolean);
  if (params && typeof params.missingProperty === 'string') parts.push(params.missingProperty);
  if (params && typeof params.additionalProperty === 'string') parts.push(params.additionalProperty);
  return [where, ...parts].map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
