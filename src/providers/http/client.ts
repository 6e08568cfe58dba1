/**
 * The one HTTP path every HTTP adapter uses: Node's fetch (undici, keep-alive by default),
 * the attempt's AbortSignal on every request, a size limit on response bodies, and network
 * errors mapped to failure kinds without leaking the URL's secrets.
 */
import { GatewayError } from '../../core/errors.js';
import { scrubText, scrubUrl } from './scrub.js';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
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
  let body: string | undefined;
  if (req.body !== undefined) {
    body = typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(req.url, { method: req.method, headers, body, signal: req.signal, redirect: 'manual' });
  } catch (error) {
    throw networkError(error, req);
  }
  let text: string;
  try {
    text = await readLimited(res, req.maxBytes ?? DEFAULT_MAX_BYTES);
  } catch (error) {
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
  return { status: res.status, headers: res.headers, text, json };
}

async function readLimited(res: Response, maxBytes: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw new GatewayError('GW_PROVIDER_BAD_RESPONSE', `Response body of ${declared} bytes exceeds the ${maxBytes}-byte limit`);
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new GatewayError('GW_PROVIDER_BAD_RESPONSE', `Response body exceeds the ${maxBytes}-byte limit`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Why fetch refused to send the request at all, or undefined. These are faults of the
 * configured URL, not of the provider or the network: nothing was sent, and waiting will not help.
 * The raw message is never used (undici puts the URL, credentials included, in it).
 */
function unsendable(error: unknown): string | undefined {
  const e = error as { name?: string; message?: string; cause?: { message?: string; code?: string } };
  if (e?.name !== 'TypeError') return undefined;
  if (e.message?.startsWith('Request cannot be constructed from a URL that includes credentials'))
    return 'the URL carries credentials (user:password@), which fetch refuses';
  if (e.cause?.message === 'bad port') return 'fetch refuses to open its port (a port reserved for another protocol)';
  if (e.cause?.code === 'ERR_INVALID_URL' || e.message === 'Invalid URL') return 'the URL is not valid';
  return undefined;
}

function networkError(error: unknown, req: HttpRequest, afterHeaders = false): GatewayError {
  const cause = (error as { cause?: { code?: string } })?.cause;
  const code = cause?.code ?? (error as { code?: string })?.code;
  const where = scrubUrl(req.url);
  const refused = afterHeaders ? undefined : unsendable(error);
  if (refused) {
    return new GatewayError('GW_PROVIDER_MISCONFIGURED', `${req.method} ${where} was not sent: ${refused}`, {
      provider: req.provider,
      details: req.urlOption ? { option: req.urlOption } : {},
    });
  }
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
