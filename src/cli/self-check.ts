/** `aicmo-gateway self-check [--status | --watch [--interval N]] [--json]` */
import { Command, InvalidArgumentError, Option } from 'commander';
import { systemClock } from '../core/clock.js';
import { cliLogger } from './cli-logger.js';
import { progressReporter } from './format/progress.js';
import type { CliIO } from './io.js';
import { openGateway, type GlobalOptions } from './open-gateway.js';
import { printReport } from './report-output.js';
import { liveChains, storedChains } from './status-source.js';
import { watchLoop } from './watch.js';

interface SelfCheckOptions {
  status?: boolean;
  watch?: boolean;
  interval?: number;
  json?: boolean;
  verbose?: boolean;
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive whole number.');
  return n;
}

export function selfCheckCommand(io: CliIO, global: () => GlobalOptions, setExit: (code: number) => void): Command {
  return new Command('self-check')
    .description(
      'Probe every provider, derive recommendations and print the report (exit 0 healthy, 1 warnings, 2 critical, 3 could not run)',
    )
    .addOption(new Option('--status', 'show the state kept in the store without running checks').conflicts(['watch', 'interval']))
    .option('--watch', 'keep checking periodically; a status line every 60 s; Ctrl+C stops with a final summary')
    .addOption(
      new Option('--interval <seconds>', 'seconds between checks with --watch (default: monitoring.intervalSeconds, else 300)').argParser(
        positiveInt,
      ),
    )
    .option('--json', 'print the machine-readable report (docs/json-status-schema.md)')
    .option('--verbose', 'log info lines on stderr')
    .action(async (opts: SelfCheckOptions, cmd: Command) => {
      if (opts.interval !== undefined && !opts.watch) cmd.error('error: --interval needs --watch', { exitCode: 64, code: 'cli.usage' });
      setExit(await runSelfCheck(opts, io, global()));
    });
}

async function runSelfCheck(opts: SelfCheckOptions, io: CliIO, global: GlobalOptions): Promise<number> {
  const logger = cliLogger(io.stderr, opts.verbose);
  const opened = await openGateway(global, io, logger, !!opts.status);
  try {
    const { registry, service } = opened.gateway.monitoring;
    const clock = io.clock ?? systemClock;
    const chains = opened.gateway.listProviderChains();
    const base = { mode: opened.gateway.mode, configFile: opened.configFile, store: opened.storeLabel };
    if (opts.watch) {
      const interval = opts.interval ?? (opened.gateway.config.monitoring.intervalSeconds || 300);
      return await watchLoop({ io, registry, service, chains, intervalSeconds: interval, json: !!opts.json, base });
    }
    if (opts.status) {
      return await printReport(
        registry,
        await storedChains(chains, opened.store, clock.now()),
        { ...base, source: 'status from store' },
        !!opts.json,
        io,
      );
    }
    const progress = progressReporter(opts.json ? { write: () => true } : io.stderr);
    await service.runFullCheck(chains, progress.onProgress ? { onProgress: progress.onProgress } : {});
    progress.done();
    await registry.flushAlerts();
    return await printReport(registry, liveChains(chains), { ...base, source: 'full check' }, !!opts.json, io);
  } finally {
    await opened.close();
  }
}
