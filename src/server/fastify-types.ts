/**
 * Fastify type extensions used by the server: the route's auth level and the caller's identity.
 * (`config.rateLimit: false`, which exempts a route from the per-caller limit, is @fastify/rate-limit's own.)
 */
import type { Identity } from './auth.js';
import type { GatewayRuntime } from './gateway-runtime.js';

/** `public`: no key; `api`: any API or admin key; `admin`: an admin key. */
export type AuthLevel = 'public' | 'api' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthLevel;
    /**
     * A public route that authenticates each request itself (a provider's signature, a signed
     * unsubscribe token): any origin may call it and it parses its own body types.
     */
    signed?: boolean;
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
