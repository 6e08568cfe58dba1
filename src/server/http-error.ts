/**
 * Errors of the HTTP layer itself (not of a provider or the engine): their codes and statuses.
 * Gateway codes (GW_*) keep their meaning from src/core/errors.ts; these are the HTTP_* ones.
 */
export const HTTP_ERROR_CODES = {
  HTTP_UNAUTHORIZED: { status: 401, description: 'Missing or unknown bearer API key.' },
  HTTP_FORBIDDEN: { status: 403, description: 'The key is valid but the route needs an admin key (or no admin key is configured).' },
  HTTP_NOT_FOUND: { status: 404, description: 'No such route.' },
  HTTP_PAYLOAD_TOO_LARGE: { status: 413, description: 'The body exceeds server.bodyLimitBytes.' },
  HTTP_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    description: 'The body is not application/json (or application/x-ndjson for POST /v1/jobs).',
  },
  HTTP_REQUEST_TIMEOUT: {
    status: 408,
    description:
      'The request (headers and body) did not arrive within server.requestTimeoutMs (or its headers within server.headersTimeoutMs).',
  },
  HTTP_RATE_LIMITED: {
    status: 429,
    description: 'The key (or client address) spent server.rateLimitPerMinute; Retry-After says when to come back.',
  },
  HTTP_NOT_IMPLEMENTED: { status: 501, description: 'The route needs a store this gateway does not use (jobs need the SQLite store).' },
  HTTP_SHUTTING_DOWN: { status: 503, description: 'The server is shutting down and accepts no new request.' },
} as const;

export type HttpErrorCode = keyof typeof HTTP_ERROR_CODES;

export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly status: number;

  constructor(
    readonly code: HttpErrorCode,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.status = HTTP_ERROR_CODES[code].status;
  }
}
