/** Runs the CLI in-process with captured streams, and writes config files into a temp dir. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runCli } from '../../src/cli/main.js';
import type { Clock } from '../../src/core/clock.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(
  argv: string[],
  opts: { cwd: string; clock?: Clock; env?: NodeJS.ProcessEnv; tty?: boolean; signal?: AbortSignal },
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: { write: (s: string) => (stdout += s), isTTY: opts.tty ?? false },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    env: opts.env ?? {},
    cwd: opts.cwd,
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  return { code, stdout, stderr };
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'gw-cli-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeConfig(dir: string, config: unknown, name = 'gateway.config.yaml'): string {
  const path = join(dir, name);
  writeFileSync(path, stringify(config));
  return path;
}

/** Two email providers and one CRM provider, all dry-run sandboxes; probe faults per provider. */
export function sandboxConfig(
  faults: { primary?: 'auth' | 'transient'; backup?: 'auth' | 'transient'; crm?: 'auth' | 'transient' } = {},
  store = 'memory:',
): Record<string, unknown> {
  const entry = (name: string, type: string, fault?: string) => ({ name, type, ...(fault ? { sandbox: { probeFails: fault } } : {}) });
  return {
    mode: 'dry_run',
    store,
    capabilities: {
      email_sending: { providers: [entry('smtp_primary', 'smtp', faults.primary), entry('smtp_backup', 'smtp', faults.backup)] },
      crm_sync: { providers: [entry('airtable_main', 'airtable', faults.crm), entry('hubspot_backup', 'hubspot')] },
    },
  };
}
