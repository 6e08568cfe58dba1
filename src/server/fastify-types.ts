/** Fastify type extensions used by the server: the route's auth level and the caller's identity. */
import type { Identity } from './auth.js';
import type { GatewayRuntime } from './gateway-runtime.js';

/** `public`: no key; `api`: any API or admin key; `admin`: an admin key. */
export type AuthLevel = 'public' | 'api' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthLevel;
    /** false: the per-caller rate limit does not apply (health, metrics, dashboard). */
    rateLimit?: false;
  }
  interface FastifyRequest {
    identity: Identity | null;
    /** The matched route's URL pattern (null for unknown URLs), for metrics and logs. */
    routePattern: string | null;
  }
  interface FastifyInstance {
    gatewayRuntime: GatewayRuntime;
  }
}
