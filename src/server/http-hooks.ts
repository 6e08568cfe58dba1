/**
 * Per-request plumbing: the request id echoed in `X-Request-Id`, the in-flight gauge,
 * authentication, the per-caller rate limit (`@fastify/rate-limit`), one access-log line (info
 * for writes and errors, debug for successful reads such as dashboard polling) and the HTTP
 * metrics (route pattern, never the raw URL, so label cardinality stays bounded).
 *
 * Routes declare `config.auth` (`public`, `api` (default) or `admin`) and may opt out of the
 * rate limit with `config.rateLimit: false`. Authentication runs first on each route (an
 * `onRoute` hook puts it ahead of the rate limit), so the limit counts per key name, or per
 * address for public routes. Missing or unknown key -> 401; a non-admin key on an admin route,
 * or admin routes while no admin key is configured -> 403; over `server.rateLimitPerMinute`
 * (read per request, so a reload applies at once; 0 = off) -> 429 with Retry-After. Failed
 * authentications are counted per client address: past `server.authFailuresPerMinute` the
 * address gets 429 before any key is compared. Unknown URLs are public and not limited (they
 * end in a 404).
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayRuntime } from './gateway-runtime.js';
import { HttpError } from './http-error.js';
import { checkOrigin } from './origin-guard.js';
import { REQUEST_ID_HEADER } from './request-id.js';
import type { AuthLevel } from './fastify-types.js';
import './fastify-types.js';

export function registerHttpHooks(app: FastifyInstance, runtime: GatewayRuntime): void {
  const metrics = runtime.metrics;
  const server = () => runtime.gateway.config.server;
  app.decorateRequest('identity', null);
  app.decorateRequest('routePattern', null);

  const inFlight = metrics.httpInFlight;
  const closed = (): void => inFlight.dec(); // one function for every response ('close' fires once per response)
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    inFlight.inc();
    reply.raw.on('close', closed);
    done();
  });

  void app.register(rateLimit, {
    global: true,
    timeWindow: 60_000,
    cache: 10_000,
    max: () => server().rateLimitPerMinute,
    allowList: () => server().rateLimitPerMinute <= 0,
    keyGenerator: (request) => (request.identity ? `key:${request.identity.name}` : `ip:${request.ip}`),
    errorResponseBuilder: (_request, context) =>
      new HttpError('HTTP_RATE_LIMITED', `Rate limit of ${context.max} requests per minute exceeded`, Math.max(1, context.ttl)),
  });
  // Failed authentications per address, in a store of their own: checked without counting, counted on a wrong key.
  let authFailures: ReturnType<FastifyInstance['createRateLimit']>;
  app.addHook('onReady', async () => {
    authFailures = app.createRateLimit({
      timeWindow: 60_000,
      max: () => server().authFailuresPerMinute,
      keyGenerator: (request) => request.ip,
    });
  });

  app.addHook('onRoute', (route) => {
    const pattern = route.url;
    const gate = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      request.routePattern = pattern;
      // Read per request: a plugin's scope may set its routes' config in an onRoute hook that runs after this one.
      const config = request.routeOptions.config;
      const error = await admit(request, reply, config.auth ?? 'api', config.signed === true);
      if (error) throw error;
    };
    route.onRequest =
      route.onRequest === undefined ? [gate] : [gate, ...(Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest])];
  });

  async function admit(request: FastifyRequest, reply: FastifyReply, auth: AuthLevel, signed: boolean): Promise<HttpError | null> {
    const refused = checkOrigin(request, { keysEnabled: runtime.keys.enabled, allowedHosts: server().allowedHosts, signed });
    if (refused) return refused;
    if (auth === 'public') return null;
    const keys = runtime.keys;
    // Key guessing is bounded per address: past the limit no key is even compared.
    if (keys.enabled) {
      const seen = await authFailures(request, { increment: false });
      if (!seen.isAllowed && seen.remaining === 0 && seen.ttl > 0)
        return new HttpError('HTTP_RATE_LIMITED', 'Too many failed authentications from this address; retry later', seen.ttl);
    }
    const identity = keys.authenticate(request.headers.authorization);
    if (!identity) {
      if (request.headers.authorization !== undefined) await authFailures(request); // a presented key was wrong: a guess
      request.log.warn({ remoteAddress: request.ip, route: request.routePattern }, 'authentication failed');
      reply.header('www-authenticate', 'Bearer realm="aicmo-gateway"');
      return new HttpError('HTTP_UNAUTHORIZED', 'Send a configured API key as "Authorization: Bearer <key>"');
    }
    if (auth === 'admin' && !identity.admin) {
      return new HttpError(
        'HTTP_FORBIDDEN',
        keys.hasAdminKeys
          ? 'This route needs an admin key (server.adminKeys)'
          : 'Admin routes are disabled: no server.adminKeys configured',
      );
    }
    request.identity = identity;
    return null;
  }

  // The access line is built here from fields that hold no secret (the caller is the key's name,
  // the route its pattern), so it is written without the service logger's redaction, which
  // walks some sixty paths per line: 40-90 µs, as much as a ledger commit (bench:http).
  const access = app.log.child({}, { redact: { paths: [] } });
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routePattern ?? 'unmatched';
    const status = reply.statusCode;
    metrics.countRequest(request.method, route, status);
    const fields = {
      reqId: request.id,
      method: request.method,
      route,
      status,
      ms: Math.round(reply.elapsedTime * 10) / 10,
      caller: request.identity?.name,
    };
    if (request.method === 'GET' && status < 400) access.debug(fields, 'request');
    else access.info(fields, 'request');
    done();
  });
}
