/** `GET /`: the live status dashboard (public static files; its data calls need a key when keys are configured). */
import { loadDashboardAssets } from '../dashboard-assets.js';
import { HttpError } from '../http-error.js';
import type { RouteModule } from './route-module.js';

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export const dashboardRoutes: RouteModule = (app, runtime) => {
  if (!runtime.gateway.config.server.dashboard) return;
  const assets = loadDashboardAssets();
  if (!assets) app.log.warn('dashboard assets not found (expected next to the server module); GET / answers 404');
  const serve = (file: string) => async (_request: unknown, reply: import('fastify').FastifyReply) => {
    const asset = assets?.get(file);
    if (!asset) throw new HttpError('HTTP_NOT_FOUND', 'Dashboard assets are not installed');
    return reply
      .type(asset.contentType)
      .header('cache-control', 'no-cache')
      .header('content-security-policy', CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .send(asset.body);
  };
  const open = { auth: 'public' as const, rateLimit: false as const };
  app.get('/', { config: open }, serve('index.html'));
  app.get('/dashboard/app.js', { config: open }, serve('app.js'));
  app.get('/dashboard/app.css', { config: open }, serve('app.css'));
};
