/**
 * The one HTTP path every HTTP adapter uses: undici's `request` (keep-alive, no redirects
 * followed), the attempt's AbortSignal on every request, a size limit on response bodies, and
 * network errors mapped to failure kinds without leaking the URL's secrets.
 *
 * Not Node's global fetch: on the bench machine a fetch costs 460-850 µs of CPU against
 * 135-230 µs for the same call through `request`, more than everything else the gateway does
 * per request (docs/architecture.md). Two refusals fetch made are kept here on purpose: a URL
 * with credentials in it, and the ports the Fetch standard blocks (./blocked-ports.ts).
 */
import { FormData, request, type Dispatcher } from 'undici';
import { GatewayError } from '../../core/errors.js';
import { isBlockedPort } from './blocked-ports.js';
import { scrubText, scrubUrl } from './scrub.js';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** A string is sent as is, a FormData as multipart/form-data (undici's FormData); anything else as JSON. */
  body?: unknown;
  signal: AbortSignal;
  /** Provider name, for errors. */
  provider: string;
  /** The request changes something at the provider: an abandoned request is then `unknown_outcome`. */
  sideEffects: boolean;
  /** Secret values to strip from any message. */
  secrets?: readonly (string | undefined)[];
  /** The provider option the URL comes from (`url`, `baseUrl`), named when the URL itself is unusable. */
  urlOption?: string;
  maxBytes?: number;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body, or undefined when the body is empty or not JSON. */
  json: unknown;
}

const DEFAULT_MAX_BYTES = 2 * 1024 * 1024;
/** Errors raised before any byte of the request can have reached the server. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_INVALID_URL',
  'UND_ERR_CONNECT_TIMEOUT',
  // TLS verification fails before any request byte is sent.
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export async function httpRequest(req: HttpRequest): Promise<HttpResponse> {
  const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
  let body: string | FormData | undefined;
  if (req.body instanceof FormData) {
    body = req.body;
  } else if (req.body !== undefined) {
    body = typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  }
  const refused = unsendable(req.url);
  if (refused) throw misconfigured(req, refused);
  let res: Dispatcher.ResponseData;
  try {
    res = await request(req.url, { method: req.method, headers, body, signal: req.signal });
  } catch (error) {
    throw networkError(error, req);
  }
  let text: string;
  try {
    text = await readLimited(res, req.maxBytes ?? DEFAULT_MAX_BYTES);
  } catch (error) {
    // Stop reading (a body over the limit may still be arriving); a late error of the stream is
    // this one, already handled.
    res.body.on('error', () => undefined).destroy();
    if (error instanceof GatewayError) throw error;
    throw networkError(error, req, true);
  }
  let json: unknown;
  if (text.length > 0) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  return { status: res.statusCode, headers: responseHeaders(res.headers), text, json };
}

async function readLimited(res: Dispatcher.ResponseData, maxBytes: number): Promise<string> {
  const declared = Number(res.headers['content-length'] ?? '0');
  if (declared > maxBytes)
    throw new GatewayError('GW_PROVIDER_BAD_RESPONSE', `Response body of ${declared} bytes exceeds the ${maxBytes}-byte limit`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new GatewayError('GW_PROVIDER_BAD_RESPONSE', `Response body exceeds the ${maxBytes}-byte limit`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The answer's headers as a Fetch `Headers` (what the adapters read rate-limit signals from). */
function responseHeaders(raw: Dispatcher.ResponseData['headers']): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value === 'string') headers.append(name, value);
    else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
  }
  return headers;
}

/**
 * Why the URL cannot be sent at all, or undefined. These are faults of the configured URL, not
 * of the provider or the network: nothing is sent, and waiting will not help. The URL itself is
 * never put in the message (it may carry credentials).
 */
function unsendable(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'the URL is not valid';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'the URL is not http(s)';
  if (parsed.username || parsed.password) return 'the URL carries credentials (user:password@), which the gateway refuses to send';
  if (isBlockedPort(parsed)) return `port ${parsed.port} is reserved for another protocol (the Fetch standard's blocked ports)`;
  return undefined;
}

function misconfigured(req: HttpRequest, reason: string): GatewayError {
  return new GatewayError('GW_PROVIDER_MISCONFIGURED', `${req.method} ${scrubUrl(req.url)} was not sent: ${reason}`, {
    provider: req.provider,
    details: req.urlOption ? { option: req.urlOption } : {},
  });
}

function networkError(error: unknown, req: HttpRequest, afterHeaders = false): GatewayError {
  const cause = (error as { cause?: { code?: string } })?.cause;
  const code = cause?.code ?? (error as { code?: string })?.code;
  const where = scrubUrl(req.url);
  const aborted = req.signal.aborted || (error as Error)?.name === 'AbortError' || (error as Error)?.name === 'TimeoutError';
  if (aborted) {
    if (req.sideEffects) {
      return new GatewayError(
        'GW_UNKNOWN_OUTCOME',
        `${req.method} ${where} abandoned at the attempt deadline; the provider may have acted on it`,
        {
          provider: req.provider,
        },
      );
    }
    return new GatewayError('GW_PROVIDER_TIMEOUT', `${req.method} ${where} did not answer before the attempt deadline`, {
      provider: req.provider,
    });
  }
  if (req.sideEffects && (afterHeaders || !(code && NOT_SENT.has(code)))) {
    return new GatewayError(
      'GW_UNKNOWN_OUTCOME',
      `${req.method} ${where}: connection lost (${code ?? 'unknown error'}); the provider may have acted on it`,
      {
        provider: req.provider,
        details: { networkCode: code },
      },
    );
  }
  const message = scrubText(`${req.method} ${where}: ${code ?? (error as Error)?.message ?? 'network error'}`, req.secrets ?? []);
  return new GatewayError('GW_PROVIDER_TRANSIENT', message, { provider: req.provider, details: { networkCode: code } });
}
