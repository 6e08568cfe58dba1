/**
 * `aicmo-gateway serve [--config F] [--host H] [--port P] [--store URL] [--log-format F] [--[no-]demo]`:
 * runs the HTTP service (JSON API, dashboard, /metrics) until SIGTERM/SIGINT (graceful stop);
 * SIGHUP reloads the config (an invalid one is refused and the running config stays). Used by
 * `npm start`: at a terminal it prints a banner and pretty logs; on the bundled dry-run defaults
 * it sends demo traffic so failover can be watched on the dashboard.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { LogFormat } from '../server/logger.js';
import { startService, type RunningService } from '../server/service.js';
import { startBanner } from './banner.js';
import { CliExit, EXIT, type CliIO } from './io.js';
import { describeFailure, type GlobalOptions } from './open-gateway.js';

interface ServeOptions {
  config?: string;
  host?: string;
  port?: number;
  store?: string;
  logFormat?: LogFormat;
  demo?: boolean;
}

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError('a port number 0-65535');
  return n;
}

export function serveCommand(io: CliIO, global: () => GlobalOptions, setExit: (code: number) => void): Command {
  return new Command('serve')
    .description('Run the HTTP service: JSON API, live dashboard and Prometheus metrics (SIGHUP reloads the config)')
    .option('-c, --config <path>', 'config file (default: GATEWAY_CONFIG, ./gateway.config.yaml, bundled defaults)')
    .option('--host <host>', 'listen address (default: server.host, 127.0.0.1)')
    .option('--port <port>', 'listen port (default: server.port, 8080)', port)
    .option('--store <url>', 'store URL (default: the config store, sqlite:./data/gateway.db)')
    .addOption(
      new Option('--log-format <format>', 'log lines as json, or pretty for a person (default: pretty at a terminal, else json)').choices([
        'json',
        'pretty',
      ]),
    )
    .option('--demo', 'send light synthetic traffic (dry run only; default on the bundled defaults)')
    .option('--no-demo', 'no synthetic traffic')
    .action(async (opts: ServeOptions) => {
      const g = global();
      const logFormat = opts.logFormat ?? (io.stdout.isTTY ? 'pretty' : 'json');
      const service = await start({ ...opts, logFormat, config: opts.config ?? g.config, store: opts.store ?? g.store }, io);
      if (logFormat === 'pretty') io.stdout.write(startBanner(service));
      setExit(await serveUntilStopped(service, io));
    });
}

async function start(opts: ServeOptions, io: CliIO): Promise<RunningService> {
  try {
    return await startService({
      ...(opts.config !== undefined ? { config: opts.config } : {}),
      ...(opts.host !== undefined ? { host: opts.host } : {}),
      ...(opts.port !== undefined ? { port: opts.port } : {}),
      ...(opts.store !== undefined ? { store: opts.store } : {}),
      ...(opts.logFormat !== undefined ? { logFormat: opts.logFormat } : {}),
      demo: opts.demo ?? 'auto',
      env: io.env,
      cwd: io.cwd,
      ...(io.stdout === process.stdout ? {} : { logDestination: { write: (s: string) => void io.stdout.write(s) } }),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL')
      throw new CliExit(EXIT.CANNOT_RUN, `cannot listen: ${code}`);
    throw new CliExit(EXIT.CANNOT_RUN, describeFailure(error));
  }
}

/** Waits for Ctrl+C / SIGTERM (the CLI's abort signal) and reloads on SIGHUP. */
async function serveUntilStopped(service: RunningService, io: CliIO): Promise<number> {
  const onHup = () => void service.reload();
  process.on('SIGHUP', onHup);
  const onAbort = () => void service.stop('signal');
  if (io.signal?.aborted) onAbort();
  io.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await service.stopped;
  } finally {
    process.off('SIGHUP', onHup);
    io.signal?.removeEventListener('abort', onAbort);
  }
  return EXIT.OK;
}
