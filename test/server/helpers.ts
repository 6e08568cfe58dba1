/** Shared fixtures of the server tests: a dry-run config with sandbox providers, keys, an app. */
import { pino } from 'pino';
import { validateConfig } from '../../src/config/load.js';
import type { GatewayConfig, GatewayConfigInput } from '../../src/config/schema.js';
import { Gateway } from '../../src/gateway.js';
import { createServer, type ServerOptions } from '../../src/server/index.js';

export const API_KEY = 'app-key-0123456789abcdef';
export const ADMIN_KEY = 'ops-key-0123456789abcdef';
export const UNNAMED_KEY = 'plain-key-0123456789abcdef';
export const api = { authorization: `Bearer ${API_KEY}` };
export const admin = { authorization: `Bearer ${ADMIN_KEY}` };

export function testConfigInput(server: Record<string, unknown> = {}): GatewayConfigInput {
  return {
    mode: 'dry_run',
    store: 'memory:',
    logLevel: 'silent',
    server: {
      apiKeys: [{ name: 'app', key: API_KEY }, UNNAMED_KEY],
      adminKeys: [{ name: 'ops', key: ADMIN_KEY }],
      rateLimitPerMinute: 10_000,
      ...server,
    },
    monitoring: { intervalSeconds: 0 },
    capabilities: {
      webhook_dispatch: {
        required: true,
        providers: [
          { name: 'hook_primary', type: 'webhook', sandbox: { latencyMs: 0 } },
          { name: 'hook_backup', type: 'webhook', sandbox: { latencyMs: 0 } },
        ],
      },
      email_verification: { providers: [{ name: 'verifier', type: 'local_verifier', sandbox: { latencyMs: 0 } }] },
    },
  };
}

export function testConfig(server: Record<string, unknown> = {}, mutate?: (raw: GatewayConfigInput) => void): GatewayConfig {
  const raw = testConfigInput(server);
  mutate?.(raw);
  return validateConfig(raw, {}).config;
}

export const silent = () => pino({ level: 'silent' });

export async function makeApp(opts: { server?: Record<string, unknown>; config?: GatewayConfig; serverOptions?: ServerOptions } = {}) {
  const gateway = await Gateway.create({ config: opts.config ?? testConfig(opts.server), snapshotIntervalMs: 0 });
  const app = createServer(gateway, { logger: silent(), periodicChecks: false, ...opts.serverOptions });
  await app.ready();
  return { app, gateway, runtime: app.gatewayRuntime };
}

export const webhook = (event = 'contact.created') => ({ event, payload: { id: 1 } });
