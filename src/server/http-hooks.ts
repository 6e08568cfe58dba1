/**
 * Per-request plumbing: the request id echoed in `X-Request-Id`, one access-log line per
 * request (info for writes and errors, debug for successful reads such as dashboard polling),
 * and the HTTP metrics (route pattern, never the raw URL, so label cardinality stays bounded).
 */
import type { FastifyInstance } from 'fastify';
import type { GatewayMetrics } from './metrics/gateway-metrics.js';
import { REQUEST_ID_HEADER } from './request-id.js';
import './fastify-types.js';

export function registerHttpHooks(app: FastifyInstance, metrics: GatewayMetrics): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    metrics.httpInFlight.inc();
    reply.raw.once('close', () => metrics.httpInFlight.dec());
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const status = reply.statusCode;
    metrics.countRequest(request.method, route, status);
    const fields = { method: request.method, route, status, ms: Math.round(reply.elapsedTime * 10) / 10, caller: request.identity?.name };
    if (request.method === 'GET' && status < 400) request.log.debug(fields, 'request');
    else request.log.info(fields, 'request');
  });
}
