/** `aicmo-gateway config check [--print]`: every problem with its path; the effective config with secrets redacted. */
import { Command } from 'commander';
import { stringify } from 'yaml';
import { redactConfig } from '../config/redact.js';
import { isGatewayError } from '../core/errors.js';
import { loadConfig } from '../config/load.js';
import { EXIT, type CliIO } from './io.js';
import type { GlobalOptions } from './open-gateway.js';

export function configCommand(io: CliIO, global: () => GlobalOptions, setExit: (code: number) => void): Command {
  const config = new Command('config').description('Configuration tools');
  config
    .command('check')
    .description('Validate the configuration (exit 0 valid, 3 invalid)')
    .option('--print', 'print the effective configuration (defaults applied, secrets redacted) as YAML')
    .action((opts: { print?: boolean }) => setExit(runCheck(!!opts.print, io, global())));
  return config;
}

function runCheck(print: boolean, io: CliIO, global: GlobalOptions): number {
  try {
    const { config, source, warnings } = loadConfig(global.config, io.env, io.cwd);
    const effective = global.store ? { ...config, store: global.store } : config;
    const caps = Object.values(effective.capabilities);
    const providers = caps.reduce((n, c) => n + (c?.providers.length ?? 0), 0);
    io.stdout.write(`Config OK: ${source} (mode ${effective.mode}, ${caps.length} capabilities, ${providers} providers)\n`);
    for (const w of warnings) io.stdout.write(`  warning: ${w}\n`);
    if (print) io.stdout.write(`\n${stringify(redactConfig(effective))}`);
    return EXIT.OK;
  } catch (error) {
    if (!isGatewayError(error)) throw error;
    // The message lists the problems too: print its first line, then each problem once.
    const problems = (error.details?.problems as { path: string; message: string }[] | undefined) ?? [];
    io.stderr.write(`Config invalid: ${problems.length ? error.message.split('\n')[0] : error.message}\n`);
    for (const p of problems) io.stderr.write(`  - ${p.path}: ${p.message}\n`);
    return EXIT.CANNOT_RUN;
  }
}
