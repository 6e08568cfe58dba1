/**
 * Operator actions on one provider (admin key): isolate, reset, force-closed. Each is recorded
 * in the store's event history with the actor `api:<key name>`.
 */
import type { AdminAction } from '../../gateway.js';
import type { RouteModule } from './route-module.js';

const ACTIONS: Record<string, AdminAction> = { isolate: 'isolate', reset: 'reset', 'force-closed': 'force_closed' };
const params = { type: 'object', properties: { name: { type: 'string', maxLength: 100 } }, required: ['name'] } as const;

export const adminRoutes: RouteModule = (app, runtime) => {
  // Public so the dashboard can ask whether its key works without a 401 in the browser console.
  app.get('/v1/whoami', { config: { auth: 'public' } }, async (request) => {
    const identity = runtime.keys.authenticate(request.headers.authorization);
    return {
      authenticated: identity !== null,
      name: identity?.name ?? null,
      admin: identity?.admin ?? false,
      authRequired: runtime.keys.enabled,
    };
  });

  for (const [segment, action] of Object.entries(ACTIONS)) {
    app.post<{ Params: { name: string } }>(
      `/v1/providers/:name/${segment}`,
      { schema: { params }, config: { auth: 'admin' } },
      async (request) => {
        const actor = `api:${request.identity!.name}`;
        const provider = await runtime.gateway.admin(request.params.name, action, actor);
        request.log.info({ provider: provider.name, action, actor }, 'operator action');
        return { action, actor, provider: provider.status().toJSON() };
      },
    );
  }
};
