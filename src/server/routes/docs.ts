/**
 * The API description: `GET /openapi.json` (OpenAPI 3.1, built by ../openapi/document.ts) and
 * `/docs`, a browsable reference (@fastify/swagger-ui over the same document). Both are public:
 * the document holds no secret and a browser cannot send a bearer key to open a page. The
 * reference runs under a CSP of its own: scripts and styles from this origin only (Swagger UI
 * sets inline style attributes, so styles allow 'unsafe-inline').
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { createRequire } from 'node:module';
import { openApiDocument } from '../openapi/document.js';
import type { RouteModule } from './route-module.js';

const { version } = createRequire(import.meta.url)('../../../package.json') as { version: string };

const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export const docsRoutes: RouteModule = (app, runtime) => {
  const document = openApiDocument({ version, dashboard: runtime.gateway.config.server.dashboard });
  const open = { auth: 'public' as const, rateLimit: false as const };
  app.get('/openapi.json', { config: open }, async () => document);

  void app.register(async (scope) => {
    // Swagger UI's own routes (the page, its scripts, /docs/json) take no key either.
    scope.addHook('onRoute', (route) => {
      route.config = { ...route.config, ...open };
    });
    await scope.register(swagger, { mode: 'static', specification: { document: document as never } });
    await scope.register(swaggerUi, { routePrefix: '/docs', staticCSP: DOCS_CSP, uiConfig: { deepLinking: true } });
  });
};
