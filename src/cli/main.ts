#!/usr/bin/env node
/**
 * The `aicmo-gateway` CLI. `runCli(argv, io)` runs in-process (tests); the bin wires the
 * process streams and Ctrl+C to it and exits with its code.
 * Exit codes: 0 healthy/ok, 1 warnings/failed invocation, 2 critical, 3 could not run, 64 usage.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { configCommand } from './config-check.js';
import { invokeCommand } from './invoke.js';
import { jobCommand } from './job.js';
import { outboxCommand } from './outbox.js';
import { providerCommand } from './provider.js';
import { CliExit, EXIT, type CliIO } from './io.js';
import type { GlobalOptions } from './open-gateway.js';
import { selfCheckCommand } from './self-check.js';
import { serveCommand } from './serve.js';
import { suppressionCommand } from './suppression.js';

/** Each command module exports a factory of this shape; register new ones in COMMANDS. */
export type CommandFactory = (io: CliIO, global: () => GlobalOptions, setExit: (code: number) => void) => Command;

const COMMANDS: readonly CommandFactory[] = [
  selfCheckCommand,
  invokeCommand,
  configCommand,
  serveCommand,
  outboxCommand,
  jobCommand,
  providerCommand,
  suppressionCommand,
];

export async function runCli(argv: readonly string[], partial: Partial<CliIO> = {}): Promise<number> {
  const io: CliIO = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), ...partial };
  let exitCode: number = EXIT.OK;
  const program = new Command('aicmo-gateway')
    .description('AICMO Gateway: multi-provider, self-healing integration gateway')
    .option('-c, --config <path>', 'config file (default: GATEWAY_CONFIG, ./gateway.config.yaml, bundled defaults)')
    .option('--store <url>', 'override the store URL (memory:, sqlite:<path>, redis://host:port)')
    .exitOverride()
    .showHelpAfterError('Usage: aicmo-gateway [options] <self-check|invoke|config|serve|outbox|job|provider|suppression> (see --help)')
    .configureOutput({ writeOut: (s) => void io.stdout.write(s), writeErr: (s) => void io.stderr.write(s) });
  const global = (): GlobalOptions => program.opts<GlobalOptions>();
  for (const factory of COMMANDS) {
    const cmd = factory(io, global, (code) => (exitCode = code));
    program.addCommand(configureTree(cmd, io, 'aicmo-gateway'));
  }
  if (argv.length === 0) {
    io.stderr.write(
      `error: missing command\nUsage: aicmo-gateway [options] <self-check|invoke|config|serve|outbox|job|provider|suppression> (see --help)\n`,
    );
    return EXIT.USAGE;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CliExit) {
      io.stderr.write(`error: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.OK;
      return EXIT.USAGE;
    }
    io.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.CANNOT_RUN;
  }
}

/** Sub-commands inherit exit override and output routing. */
function configureTree(cmd: Command, io: CliIO, parent: string): Command {
  const path = `${parent} ${cmd.name()}`;
  cmd
    .exitOverride()
    .showHelpAfterError(`Usage: ${path} ${cmd.usage()}`)
    .configureOutput({ writeOut: (s) => void io.stdout.write(s), writeErr: (s) => void io.stderr.write(s) });
  for (const sub of cmd.commands) configureTree(sub, io, path);
  return cmd;
}

function isMain(): boolean {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  const ac = new AbortController();
  process.once('SIGINT', () => {
    ac.abort();
    process.once('SIGINT', () => process.exit(130));
  });
  process.once('SIGTERM', () => ac.abort());
  runCli(process.argv.slice(2), { signal: ac.signal }).then(
    (code) => process.exit(code),
    () => process.exit(EXIT.CANNOT_RUN),
  );
}
