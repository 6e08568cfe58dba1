/**
 * Loads the config, opens the store and builds the Gateway for a CLI command. Every failure
 * becomes CliExit(3) with a one-line reason (config problems listed with their paths).
 */
import { loadConfig } from '../config/load.js';
import { redactStoreUrl } from '../config/redact.js';
import type { GatewayConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import { isGatewayError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { Gateway } from '../gateway.js';
import { openStore, retentionOf } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { CliExit, EXIT, type CliIO } from './io.js';

export interface GlobalOptions {
  config?: string;
  store?: string;
}

export interface OpenedGateway {
  gateway: Gateway;
  store: Store;
  configFile: string;
  /** The store URL with credentials redacted. */
  storeLabel: string;
  close(): Promise<void>;
}

export function loadCliConfig(opts: GlobalOptions, io: CliIO): { config: GatewayConfig; source: string; warnings: string[] } {
  try {
    const loaded = loadConfig(opts.config, io.env, io.cwd);
    return { ...loaded, config: opts.store ? { ...loaded.config, store: opts.store } : loaded.config };
  } catch (error) {
    throw new CliExit(EXIT.CANNOT_RUN, describeFailure(error));
  }
}

/** `readOnly`: the gateway does not write provider health back on close (`--status` must not race the server). */
export async function openGateway(opts: GlobalOptions, io: CliIO, logger: Logger, readOnly = false): Promise<OpenedGateway> {
  const { config, source } = loadCliConfig(opts, io);
  const clockOpt: { clock?: Clock } = io.clock ? { clock: io.clock } : {};
  let store: Store;
  try {
    store = openStore(config.store, { ...clockOpt, cwd: io.cwd, retention: retentionOf(config.monitoring) });
    await store.countHealthChecks(); // reachable and readable
  } catch (error) {
    throw new CliExit(EXIT.CANNOT_RUN, `store unreachable: ${describeFailure(error)}`);
  }
  let gateway: Gateway;
  try {
    gateway = await Gateway.create({ config, store, logger, ...clockOpt, snapshotIntervalMs: 0, saveOnClose: !readOnly });
  } catch (error) {
    await store.close();
    throw new CliExit(EXIT.CANNOT_RUN, describeFailure(error));
  }
  return {
    gateway,
    store,
    configFile: source,
    storeLabel: redactStoreUrl(config.store),
    close: async () => {
      await gateway.close();
      await store.close();
    },
  };
}

export function describeFailure(error: unknown): string {
  if (isGatewayError(error)) {
    const problems = (error.details?.problems as { path: string; message: string }[] | undefined) ?? [];
    const list = problems.map((p) => `${p.path}: ${p.message}`).join('; ');
    return problems.length > 1 || (problems.length === 1 && !error.message.includes(problems[0]!.message))
      ? `${error.message} (${list})`
      : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
