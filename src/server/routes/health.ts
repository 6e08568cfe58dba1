/** Liveness (`/healthz`: the process serves, never depends on providers) and readiness (`/readyz`). */
import type { RouteModule } from './route-module.js';

export const healthRoutes: RouteModule = (app, runtime) => {
  const open = { auth: 'public' as const, rateLimit: false as const };
  app.get('/healthz', { config: open }, async () => ({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) }));
  app.get('/readyz', { config: open }, async (_request, reply) => {
    const { ready, down } = runtime.readiness();
    return reply.code(ready ? 200 : 503).send({ ready, down });
  });
};
