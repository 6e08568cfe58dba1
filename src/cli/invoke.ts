/** `aicmo-gateway invoke <capability> --data '<json>' | --data @file.json [--idempotency-key K] [--json]` */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { isGatewayError, toGatewayError } from '../core/errors.js';
import type { AttemptRecord } from '../core/invocation.js';
import { cliLogger } from './cli-logger.js';
import { pad } from './format/text.js';
import { CliExit, EXIT, type CliIO } from './io.js';
import { openGateway, type GlobalOptions } from './open-gateway.js';
import { positiveInt } from './self-check.js';

interface InvokeOptions {
  data: string;
  idempotencyKey?: string;
  deadlineMs?: number;
  json?: boolean;
}

export function invokeCommand(io: CliIO, global: () => GlobalOptions, setExit: (code: number) => void): Command {
  return new Command('invoke')
    .description(
      'Run one request through the chain of a capability and print the result and the attempts (exit 0 ok, 1 failed, 3 could not run)',
    )
    .argument('<capability>', 'capability name, e.g. email_sending')
    .requiredOption('--data <json|@file>', 'the request as JSON, or @path to a JSON file')
    .option('--idempotency-key <key>', 'idempotency key (the same key never sends twice)')
    .option('--deadline-ms <ms>', 'total deadline of the invocation', positiveInt)
    .option('--json', 'print the outcome as JSON')
    .action(async (capability: string, opts: InvokeOptions, cmd: Command) => {
      const request = parseData(opts.data, io, (m) => cmd.error(`error: ${m}`, { exitCode: EXIT.USAGE, code: 'cli.usage' }));
      setExit(await runInvoke(capability, request, opts, io, global()));
    });
}

function parseData(data: string, io: CliIO, fail: (message: string) => never): unknown {
  let text = data;
  if (data.startsWith('@')) {
    try {
      text = readFileSync(resolve(io.cwd, data.slice(1)), 'utf8');
    } catch (error) {
      fail(`--data ${data}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    return fail(`--data is not valid JSON: ${(error as Error).message}`);
  }
}

async function runInvoke(capability: string, request: unknown, opts: InvokeOptions, io: CliIO, global: GlobalOptions): Promise<number> {
  const opened = await openGateway(global, io, cliLogger(io.stderr));
  try {
    if (!opened.gateway.getProviderChain(capability)) {
      throw new CliExit(
        EXIT.CANNOT_RUN,
        `no chain is configured for capability "${capability}" (configured: ${
          opened.gateway
            .listProviderChains()
            .map((c) => c.capability)
            .join(', ') || 'none'
        })`,
      );
    }
    const options: { idempotencyKey?: string; deadlineMs?: number } = {};
    if (opts.idempotencyKey !== undefined) options.idempotencyKey = opts.idempotencyKey;
    if (opts.deadlineMs !== undefined) options.deadlineMs = opts.deadlineMs;
    try {
      const res = await opened.gateway.invoke(capability, request, options);
      if (opts.json) io.stdout.write(`${JSON.stringify({ ok: true, ...res }, null, 2)}\n`);
      else {
        io.stdout.write(
          `OK via ${res.provider} in ${Math.round(res.latencyMs)} ms (idempotency key ${res.idempotencyKey})\n\nResult:\n${JSON.stringify(res.result, null, 2)}\n\n`,
        );
        io.stdout.write(formatAttempts(res.attempts));
      }
      return EXIT.OK;
    } catch (thrown) {
      const error = toGatewayError(thrown);
      const attempts = (isGatewayError(error) && Array.isArray(error.details?.attempts) ? error.details.attempts : []) as AttemptRecord[];
      if (opts.json) io.stdout.write(`${JSON.stringify({ ok: false, error: error.toJSON(), attempts }, null, 2)}\n`);
      else {
        io.stdout.write(`FAILED ${error.code} (${error.kind}): ${error.message}\n`);
        const problems = error.details?.problems;
        if (Array.isArray(problems))
          for (const p of problems as { path: string; message: string }[]) io.stdout.write(`  - ${p.path}: ${p.message}\n`);
        if (attempts.length) io.stdout.write(`\n${formatAttempts(attempts)}`);
      }
      return EXIT.WARNING;
    }
  } finally {
    await opened.close();
  }
}

function formatAttempts(attempts: readonly AttemptRecord[]): string {
  const lines = ['Attempts:'];
  attempts.forEach((a, i) => {
    const flags = [a.panic ? 'panic' : '', a.hedge ? 'hedge' : ''].filter(Boolean).join(',');
    const detail = [a.code, a.message].filter(Boolean).join(': ');
    lines.push(
      `  ${i + 1}. ${pad(a.provider, 22)} ${pad(a.outcome, 16)} ${pad(`${Math.round(a.latencyMs)} ms`, 9)} ${detail}${flags ? ` [${flags}]` : ''}`.trimEnd(),
    );
  });
  return `${lines.join('\n')}\n`;
}
