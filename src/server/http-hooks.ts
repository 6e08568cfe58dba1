/**
 * Per-request plumbing, kept to plain synchronous hooks (an async hook costs a promise per
 * request): the request id echoed in `X-Request-Id`, the in-flight gauge, authentication and
 * the per-caller rate limit, one access-log line (info for writes and errors, debug for
 * successful reads such as dashboard polling) and the HTTP metrics (route pattern, never the
 * raw URL, so label cardinality stays bounded).
 *
 * Routes declare `config.auth` (`public`, `api` (default) or `admin`) and may opt out of the
 * rate limit with `config.rateLimit: false`. Both are read once per route when it is added
 * (an `onRoute` hook), not per request. Missing or unknown key -> 401; a non-admin key on an
 * admin route, or admin routes while no admin key is configured -> 403; over the limit -> 429
 * with Retry-After. Failed authentications are counted per client address: past
 * `server.authFailuresPerMinute` the address gets 429 before any key is compared. Unknown URLs are public and not limited (they end in a 404).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { GatewayRuntime } from './gateway-runtime.js';
import { HttpError } from './http-error.js';
import { checkOrigin } from './origin-guard.js';
import { CallerRateLimiter } from './rate-limit.js';
import { REQUEST_ID_HEADER } from './request-id.js';
import type { AuthLevel } from './fastify-types.js';
import './fastify-types.js';

export function registerHttpHooks(app: FastifyInstance, runtime: GatewayRuntime): void {
  const metrics = runtime.metrics;
  const limiter = new CallerRateLimiter();
  const authFailures = new CallerRateLimiter();
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

  app.addHook('onRoute', (route) => {
    const auth: AuthLevel = route.config?.auth ?? 'api';
    const limited = route.config?.rateLimit !== false;
    const pattern = route.url;
    const gate = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
      request.routePattern = pattern;
      const error = admit(request, reply, auth, limited);
      if (error) done(error);
      else done();
    };
    route.onRequest = route.onRequest === undefined ? [gate] : [gate, ...(Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest])];
  });

  function admit(request: FastifyRequest, reply: FastifyReply, auth: AuthLevel, limited: boolean): HttpError | null {
    const refused = checkOrigin(request, { keysEnabled: runtime.keys.enabled, allowedHosts: runtime.gateway.config.server.allowedHosts });
    if (refused) return refused;
    if (auth !== 'public') {
      const keys = runtime.keys;
      // Key guessing is bounded per address: past the limit no key is even compared.
      const failureLimit = runtime.gateway.config.server.authFailuresPerMinute;
      const blocked = keys.enabled ? authFailures.waitFor(request.ip, failureLimit, Date.now()) : 0;
      if (blocked > 0) return new HttpError('HTTP_RATE_LIMITED', `Too many failed authentications from this address; retry later`, blocked);
      const identity = keys.authenticate(request.headers.authorization);
      if (!identity) {
        if (request.headers.authorization !== undefined) authFailures.take(request.ip, failureLimit, Date.now()); // a presented key was wrong: a guess
        request.log.warn({ remoteAddress: request.ip, route: request.routePattern }, 'authentication failed');
        reply.header('www-authenticate', 'Bearer realm="aicmo-gateway"');
        return new HttpError('HTTP_UNAUTHORIZED', 'Send a configured API key as "Authorization: Bearer <key>"');
      }
      if (auth === 'admin' && !identity.admin) {
        return new HttpError('HTTP_FORBIDDEN', keys.hasAdminKeys ? 'This route needs an admin key (server.adminKeys)' : 'Admin routes are disabled: no server.adminKeys configured');
      }
      request.identity = identity;
    }
    // Read per request, so a reload's new limit applies at once; 0 turns the limit off.
    const limit = runtime.gateway.config.server.rateLimitPerMinute;
    if (!limited || limit <= 0) return null;
    const wait = limiter.take(request.identity ? `key:${request.identity.name}` : `ip:${request.ip}`, limit, Date.now());
    return wait === 0 ? null : new HttpError('HTTP_RATE_LIMITED', `Rate limit of ${limit} requests per minute exceeded`, wait);
  }

  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routePattern ?? 'unmatched';
    const status = reply.statusCode;
    metrics.countRequest(request.method, route, status);
    const fields = { method: request.method, route, status, ms: Math.round(reply.elapsedTime * 10) / 10, caller: request.identity?.name };
    if (request.method === 'GET' && status < 400) request.log.debug(fields, 'request');
    else request.log.info(fields, 'request');
    done();
  });
}
