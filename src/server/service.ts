/**
 * startService(): what `aicmo-gateway serve` runs. Loads the config, opens the store once
 * (shared across reloads), builds the Gateway, refuses an unauthenticated non-loopback bind,
 * listens, and returns a handle to reload (SIGHUP) and stop (SIGTERM/SIGINT) it.
 */
import type { DestinationStream } from 'pino';
import { BUNDLED_SOURCE, loadConfig } from '../config/load.js';
import { redactStoreUrl } from '../config/redact.js';
import type { GatewayConfig } from '../config/schema.js';
import { GatewayError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { Gateway } from '../gateway.js';
import { openStore, retentionOf } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { KeyRing } from './auth.js';
import { assertSafeBind } from './bind-guard.js';
import { createServer, type GatewayServer } from './create-server.js';
import { shutdownGracefully } from './lifecycle.js';
import { startDemoTraffic, type DemoTraffic } from './demo-traffic.js';
import { createServiceLogger, type LogFormat } from './logger.js';

export interface ServiceOptions {
  config?: string;
  host?: string;
  port?: number;
  store?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Where the log lines go (default stdout). */
  logDestination?: DestinationStream;
  /** `json` (default) or `pretty` (pino-pretty, for a person at a terminal). */
  logFormat?: LogFormat;
  /**
   * Synthetic traffic (see demo-traffic.ts): true refuses a live config; `auto` runs it on the
   * bundled dry-run defaults only (no config file given). Default false.
   */
  demo?: boolean | 'auto';
}

export interface RunningService {
  app: GatewayServer;
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  config: GatewayConfig;
  /** The config file, or `bundled defaults`. */
  source: string;
  /** The synthetic traffic when it runs. */
  demo: DemoTraffic | null;
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
  const demo = opts.demo === 'auto' ? loaded.source === BUNDLED_SOURCE && config.mode === 'dry_run' : opts.demo === true;
  if (demo && config.mode !== 'dry_run')
    throw new GatewayError(
      'GW_CONFIG_INVALID',
      `--demo sends synthetic traffic and runs in dry run only; ${loaded.source} sets mode: live`,
    );

  const logger = createServiceLogger({
    level: config.logLevel,
    format: opts.logFormat ?? 'json',
    ...(opts.logDestination ? { destination: opts.logDestination } : {}),
  });
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
    { url, mode: gateway.mode, config: loaded.source, store: redactStoreUrl(store.description), demo },
    `AICMO Gateway listening on ${url} (dashboard at ${url}/)`,
  );
  const traffic = demo ? startDemoTraffic(() => app.gatewayRuntime.gateway, logger.child({ component: 'demo' })) : null;

  let stopping: Promise<void> | null = null;
  let markStopped!: () => void;
  const stopped = new Promise<void>((r) => (markStopped = r));
  const stop = (reason = 'stop'): Promise<void> =>
    (stopping ??= (async () => {
      const graceMs = app.gatewayRuntime.gateway.config.server.shutdownGraceMs;
      logger.info({ reason, graceMs }, 'shutting down: no new connections, finishing requests in flight');
      await traffic?.stop();
      const { forced } = await shutdownGracefully(app, graceMs);
      await store.close();
      logger.info({ forced }, forced ? 'stopped (grace period expired, remaining connections closed)' : 'stopped');
      markStopped();
    })());
  return { app, url, config, source: loaded.source, demo: traffic, reload: () => app.gatewayRuntime.reload(), stop, stopped };
}
