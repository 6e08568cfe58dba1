/**
 * Fixtures of the delivery suites: a dry-run gateway with sandbox providers, its delivery service
 * (ledger + outbox) and a small Fastify app with the capability POST route wired the
 * way the server's route uses delivery (submit -> 200/202, ledger errors -> 409/422/502).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { validateConfig } from '../../src/config/load.js';
import type { GatewayConfig, GatewayConfigInput } from '../../src/config/schema.js';
import type { DeliveryService } from '../../src/delivery/delivery-service.js';
import { Gateway } from '../../src/gateway.js';
import { toErrorReply } from '../../src/server/error-reply.js';
import { deliveriesPlugin } from '../../src/server/routes/deliveries.js';
import { prefersAsync, sendSubmission } from '../../src/server/submission-reply.js';
import type { Store } from '../../src/store/store.js';

export interface SandboxSpec {
  name: string;
  sandbox?: Record<string, unknown>;
  limits?: Record<string, unknown>;
}

export function deliveryConfig(o: {
  providers: SandboxSpec[];
  capability?: string;
  deadlineMs?: number;
  delivery?: Record<string, unknown>;
  store?: string;
  retry?: Record<string, unknown>;
}): GatewayConfig {
  const raw = {
    mode: 'dry_run',
    store: o.store ?? 'memory:',
    logLevel: 'silent',
    monitoring: { intervalSeconds: 0 },
    delivery: o.delivery ?? {},
    capabilities: {
      [o.capability ?? 'webhook_dispatch']: {
        deadlineMs: o.deadlineMs ?? 2_000,
        retry: o.retry ?? { maxAttemptsPerProvider: 1 },
        providers: o.providers.map((p) => ({
          name: p.name,
          type: (o.capability ?? 'webhook_dispatch') === 'webhook_dispatch' ? 'webhook' : 'local_verifier',
          sandbox: { latencyMs: 0, ...p.sandbox },
          ...(p.limits ? { limits: p.limits } : {}),
        })),
      },
    },
  } as GatewayConfigInput;
  return validateConfig(raw, {}).config;
}

export interface DeliveryFixture {
  gateway: Gateway;
  /** The gateway's delivery service (ledger + outbox). */
  service: DeliveryService;
  app: FastifyInstance;
  close(): Promise<void>;
}

export async function deliveryFixture(config: GatewayConfig, opts: { storeUrl?: string; store?: Store } = {}): Promise<DeliveryFixture> {
  const gateway = await Gateway.create({
    config: opts.storeUrl ? { ...config, store: opts.storeUrl } : config,
    snapshotIntervalMs: 0,
    ...(opts.store ? { store: opts.store } : {}),
  });
  const service = gateway.delivery;
  const app = deliveryApp(service);
  await app.ready();
  return {
    gateway,
    service,
    app,
    async close() {
      await app.close();
      await gateway.close();
    },
  };
}

/** The capability POST route as the server wires it once delivery is integrated, plus the delivery routes. */
export function deliveryApp(service: DeliveryService): FastifyInstance {
  const app = Fastify({ logger: false });
  app.setErrorHandler(async (error, _req, reply) => {
    const mapped = toErrorReply(error);
    return reply.code(mapped.status).send(mapped.body);
  });
  app.post<{ Params: { capability: string } }>('/v1/capabilities/:capability', async (req, reply) => {
    const key = req.headers['idempotency-key'];
    const s = await service.submit(req.params.capability, req.body, {
      ...(typeof key === 'string' ? { idempotencyKey: key } : {}),
      async: prefersAsync(req.headers.prefer),
    });
    return sendSubmission(reply, s);
  });
  void app.register(deliveriesPlugin, { delivery: service });
  return app;
}

export const hook = (n: number | string = 1) => ({ event: 'contact.created', payload: { n } });

export function post(app: FastifyInstance, body: unknown, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: '/v1/capabilities/webhook_dispatch', payload: body as object, headers });
}
