/** `GET /metrics`: the Prometheus text exposition (API key required when keys are configured). */
import type { RouteModule } from './route-module.js';

export const metricsRoutes: RouteModule = (app, runtime) => {
  app.get('/metrics', { config: { rateLimit: false } }, async (_request, reply) => {
    const { contentType, text } = await runtime.metrics.exposition();
    return reply.type(contentType).send(text);
  });
};
