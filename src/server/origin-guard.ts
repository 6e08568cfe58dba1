/**
 * Requests a browser may have been tricked into sending. Without API keys (the local default)
 * the API trusts whoever reaches it, so it checks that a request comes from this machine's own
 * tools and pages and not from a web page on another site:
 * - the Host header names the server itself: a loopback name, or one of `server.allowedHosts`
 *   (DNS rebinding points another name at 127.0.0.1 and would read the whole API);
 * - a state-changing request is not cross-site: `Sec-Fetch-Site` is same-origin or none, and an
 *   `Origin` header, when sent, is the server's own (a page on any site could otherwise isolate
 *   the providers with a form POST, which needs no CORS preflight).
 * With keys, the key is the proof (a cross-site page cannot send the Authorization header without
 * a preflight CORS refuses); `server.allowedHosts`, when set, is enforced either way.
 * A request body must be `application/json` (or an NDJSON job stream on `POST /v1/jobs`, a CSV
 * file on `POST /v1/suppressions/import`): a form or text/plain body is 415.
 *
 * A `signed` route (mail event webhooks, one-click unsubscribe) authenticates each request by
 * the sender's signature or a signed token: only the Host check applies; providers post from
 * anywhere, in their own body types.
 */
import type { FastifyRequest } from 'fastify';
import { isLoopbackHost } from './bind-guard.js';
import { HttpError } from './http-error.js';

export interface OriginPolicy {
  keysEnabled: boolean;
  allowedHosts: readonly string[];
  signed?: boolean;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function checkOrigin(request: FastifyRequest, policy: OriginPolicy): HttpError | null {
  const host = request.headers.host ?? '';
  const hostname = hostnameOf(host);
  const enforced = !policy.keysEnabled || policy.allowedHosts.length > 0;
  const known = isLoopbackHost(hostname) || policy.allowedHosts.some((h) => h.toLowerCase() === hostname);
  if (enforced && !known) {
    return new HttpError('HTTP_FORBIDDEN', `Host "${hostname || '(none)'}" is not this server: add it to server.allowedHosts to serve it`);
  }
  if (policy.signed) return null;
  if (hasBody(request) && !acceptedBody(request)) {
    return new HttpError('HTTP_UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json');
  }
  if (policy.keysEnabled || SAFE_METHODS.has(request.method)) return null;
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return new HttpError('HTTP_FORBIDDEN', `A ${site} request may not change anything without an API key (server.apiKeys)`);
  }
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `http://${host}` && origin !== `https://${host}`) {
    return new HttpError('HTTP_FORBIDDEN', 'A request from another origin may not change anything without an API key (server.apiKeys)');
  }
  return null;
}

/** `127.0.0.1:8080` -> `127.0.0.1`, `[::1]:8080` -> `::1`, lower case. */
function hostnameOf(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') === -1 ? undefined : h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  return colon === -1 ? h : h.slice(0, colon);
}

/** JSON everywhere; an NDJSON stream on `POST /v1/jobs`, a CSV file on `POST /v1/suppressions/import`. */
function acceptedBody(request: FastifyRequest): boolean {
  const type = (request.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('application/json')) return true;
  const path = request.url.split('?')[0];
  if (request.method !== 'POST') return false;
  // Neither is a CORS-safelisted type: a browser preflights it.
  if (type.startsWith('application/x-ndjson')) return path === '/v1/jobs';
  return type.startsWith('text/csv') && path === '/v1/suppressions/import';
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}
