/**
 * startService(): what `aicmo-gateway serve` runs. Loads the config, opens the store once
 * (shared across reloads), builds the Gateway, refuses an unauthenticated non-loopback bind,
 * listens, and returns a handle to reload (SIGHUP) and stop (SIGTERM/SIGINT) it.
 */
import type { DestinationStream } from 'pino';
import { loadConfig } from '../config/load.js';
import { redactStoreUrl } from '../config/redact.js';
import type { GatewayConfig } from '../config/schema.js';
import type { Logger } from '../core/logger.js';
import { Gateway } from '../gateway.js';
import { openStore, retentionOf } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { KeyRing } from './auth.js';
import { assertSafeBind } from './bind-guard.js';
import { createServer, type GatewayServer } from './create-server.js';
import { shutdownGracefully } from './lifecycle.js';
import { createServiceLogger } from './logger.js';

export interface ServiceOptions {
  config?: string;
  host?: string;
  port?: number;
  store?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Where the JSON log lines go (default stdout). */
  logDestination?: DestinationStream;
}

export interface RunningService {
  app: GatewayServer;
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  config: GatewayConfig;
  /** Validates and applies the config file again; false when it was invalid (the old one keeps running). */
  reload(): Promise<boolean>;
  /** Graceful stop; resolves when everything is closed. Safe to call more than once. */
  stop(reason?: string): Promise<void>;
  /** Resolves once stopped. */
  readonly stopped: Promise<void>;
}

export async function startService(opts: ServiceOptions = {}): Promise<RunningService> {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const load = (): GatewayConfig => loadConfig(opts.config, env, cwd).config;
  const loaded = loadConfig(opts.config, env, cwd);
  const config = loaded.config;
  const host = opts.host ?? config.server.host;
  const port = opts.port ?? config.server.port;
  assertSafeBind(host, KeyRing.fromConfig(config.server).enabled);

  const logger = createServiceLogger({ level: config.logLevel, ...(opts.logDestination ? { destination: opts.logDestination } : {}) });
  for (const warning of loaded.warnings) logger.warn(warning);
  const store: Store = openStore(opts.store ?? config.store, { cwd, retention: retentionOf(config.monitoring) });
  const gatewayLogger: Logger = logger.child({ component: 'gateway' });
  let gateway: Gateway;
  try {
    gateway = await Gateway.create({ config, store, logger: gatewayLogger });
  } catch (error) {
    await store.close();
    throw error;
  }
  const app = createServer(gateway, {
    logger,
    store,
    loadConfig: load,
    createGateway: (next) => Gateway.create({ config: next, store, logger: gatewayLogger }),
    processMetrics: true,
    bindHost: host,
  });
  try {
    await app.listen({ host, port });
  } catch (error) {
    await app.close();
    await store.close();
    throw error;
  }
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
  logger.info(
    { url, mode: gateway.mode, config: loaded.source, store: redactStoreUrl(store.description) },
    `AICMO Gateway listening on ${url} (dashboard at ${url}/)`,
  );

  let stopping: Promise<void> | null = null;
  let markStopped!: () => void;
  const stopped = new Promise<void>((r) => (markStopped = r));
  const stop = (reason = 'stop'): Promise<void> =>
    (stopping ??= (async () => {
      const graceMs = app.gatewayRuntime.gateway.config.server.shutdownGraceMs;
      logger.info({ reason, graceMs }, 'shutting down: no new connections, finishing requests in flight');
      const { forced } = await shutdownGracefully(app, graceMs);
      await store.close();
      logger.info({ forced }, forced ? 'stopped (grace period expired, remaining connections closed)' : 'stopped');
      markStopped();
    })());
  return { app, url, config, reload: () => app.gatewayRuntime.reload(), stop, stopped };
}
