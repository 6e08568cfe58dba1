/**
 * Authenticates every request before routing work: routes declare `config.auth`
 * (`public`, `api` (default) or `admin`). Missing or unknown key -> 401; a non-admin key on
 * an admin route, or admin routes while no admin key is configured -> 403.
 */
import type { FastifyInstance } from 'fastify';
import type { GatewayRuntime } from './gateway-runtime.js';
import { HttpError } from './http-error.js';
import './fastify-types.js';

export function registerAuth(app: FastifyInstance, runtime: GatewayRuntime): void {
  app.decorateRequest('identity', null);
  app.addHook('onRequest', async (request, reply) => {
    const level = request.routeOptions.config?.auth ?? (request.routeOptions.url ? 'api' : 'public');
    if (level === 'public') return;
    const keys = runtime.keys;
    const identity = keys.authenticate(request.headers.authorization);
    if (!identity) {
      reply.header('www-authenticate', 'Bearer realm="aicmo-gateway"');
      throw new HttpError('HTTP_UNAUTHORIZED', 'Send a configured API key as "Authorization: Bearer <key>"');
    }
    if (level === 'admin' && !identity.admin) {
      throw new HttpError('HTTP_FORBIDDEN', keys.hasAdminKeys ? 'This route needs an admin key (server.adminKeys)' : 'Admin routes are disabled: no server.adminKeys configured');
    }
    request.identity = identity;
  });
}
