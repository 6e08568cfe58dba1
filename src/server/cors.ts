/**
 * CORS, off by default: only origins listed in `server.corsOrigins` (or `*`) get the
 * Access-Control headers; preflight requests from them are answered with 204.
 */
import type { FastifyInstance } from 'fastify';

export function registerCors(app: FastifyInstance, origins: readonly string[]): void {
  if (origins.length === 0) return;
  const any = origins.includes('*');
  const allowed = new Set(origins);
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (!origin || !(any || allowed.has(origin))) return;
    reply.header('access-control-allow-origin', any ? '*' : origin);
    reply.header('vary', 'Origin');
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method']) {
      reply.header('access-control-allow-methods', 'GET, POST, OPTIONS');
      reply.header('access-control-allow-headers', 'authorization, content-type, idempotency-key, x-request-id');
      reply.header('access-control-max-age', '600');
      await reply.code(204).send();
    }
  });
}
