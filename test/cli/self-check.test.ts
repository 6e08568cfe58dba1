import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { statusJsonSchema } from '../../src/cli/format/status-json-schema.js';
import { ManualClock } from '../../src/core/clock.js';
import { cli, sandboxConfig, tempDir, writeConfig } from './helpers.js';

const T0 = 1_700_000_000_000;
/** The escape character that starts an ANSI colour sequence. */
const ESC = '\u001b';

describe('aicmo-gateway self-check', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  const run = (argv: string[], extra: { tty?: boolean; env?: NodeJS.ProcessEnv } = {}) =>
    cli(argv, { cwd: dir, clock: new ManualClock(T0), ...extra });

  it('prints the human report (golden, fixed clock) and exits 2 on a critical finding', async () => {
    writeConfig(dir, sandboxConfig({ primary: 'auth' }));
    const r = await run(['self-check']);
    expect(r.code).toBe(2);
    await expect(r.stdout.replaceAll(dir, '<dir>')).toMatchFileSnapshot('./golden/self-check-critical.txt');
    expect(r.stdout).not.toContain(`${ESC}[`); // not a TTY: no colour
  });

  it('exit 0 when every provider is healthy; the report says so', async () => {
    writeConfig(dir, sandboxConfig());
    const r = await run(['self-check']);
    expect(r.code).toBe(0);
    await expect(r.stdout.replaceAll(dir, '<dir>')).toMatchFileSnapshot('./golden/self-check-healthy.txt');
  });

  it('exit 1 on warnings only (a transient primary failure behind a working backup)', async () => {
    writeConfig(dir, sandboxConfig({ primary: 'transient' }));
    const r = await run(['self-check']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('[WARNING]  email_sending (chain)');
    expect(r.stdout).not.toContain('[CRITICAL]');
  });

  it('colours only on a TTY, and never with NO_COLOR', async () => {
    writeConfig(dir, sandboxConfig({ primary: 'auth' }));
    expect((await run(['self-check'], { tty: true })).stdout).toContain(`${ESC}[31m`);
    expect((await run(['self-check'], { tty: true, env: { NO_COLOR: '1' } })).stdout).not.toContain(`${ESC}[`);
  });

  it('--json follows the documented schema and carries history and recommendations', async () => {
    writeConfig(dir, sandboxConfig({ primary: 'auth', crm: 'transient' }));
    const r = await run(['self-check', '--json']);
    expect(r.code).toBe(2);
    const doc = statusJsonSchema.parse(JSON.parse(r.stdout));
    expect(doc.exitCode).toBe(2);
    expect(doc.overall).toBe('critical');
    expect(doc.summary).toMatchObject({ providersTracked: 4, checksRecorded: 4, activeRecommendations: { critical: 1 } });
    expect(doc.history.map((c) => c.provider).sort()).toEqual(['airtable_main', 'hubspot_backup', 'smtp_backup', 'smtp_primary']);
    expect(doc.recommendations.find((x) => x.provider === 'smtp_primary')).toMatchObject({
      issueKey: 'auth',
      severity: 'critical',
      resolvedAt: null,
    });
    expect(doc.capabilities.find((c) => c.capability === 'email_sending')!.providers[0]).toMatchObject({
      name: 'smtp_primary',
      health: 'UNHEALTHY',
    });
    // The schema is strict about its enums: a renamed field or value would fail here.
    expect(() => statusJsonSchema.parse({ ...doc, overall: 'ok' })).toThrow();
  });

  it('--status reads the store without running checks', async () => {
    const db = `sqlite:${dir}/data/gw.db`;
    writeConfig(dir, sandboxConfig({ primary: 'auth' }, db));
    expect((await run(['self-check'])).code).toBe(2);
    const status = await run(['self-check', '--status', '--json']);
    const doc = statusJsonSchema.parse(JSON.parse(status.stdout));
    expect(doc.source).toBe('status from store');
    expect(doc.summary.checksRecorded).toBe(4); // no new checks ran
    expect(doc.capabilities[0]!.providers[0]!.health).toBe('UNHEALTHY');
    expect(status.code).toBe(2);
  });

  it('--status opens only the store it reads: no delivery database is created', async () => {
    writeConfig(dir, sandboxConfig({}, `sqlite:${dir}/data/gw.db`));
    const status = await run(['self-check', '--status', '--json']);
    expect(status.code).toBe(0);
    expect(existsSync(join(dir, 'data', 'gw.db'))).toBe(true);
    expect(existsSync(join(dir, 'data', 'gw.delivery.db'))).toBe(false);
  });

  it('exit 3 with the reason on stderr when the config is invalid', async () => {
    writeConfig(dir, { mode: 'sometimes', capabilities: {} });
    const r = await run(['self-check']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^error: Invalid configuration/);
    expect(r.stderr).toContain('mode');
    expect(r.stdout).toBe('');
  });

  it('exit 3 when the store is unreachable', async () => {
    writeConfig(dir, { ...sandboxConfig(), store: 'sqlite:/proc/version/gw.db' });
    const r = await run(['self-check']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('store unreachable');
  });

  it('exit 3 when the config file does not exist', async () => {
    const r = await run(['--config', 'nope.yaml', 'self-check']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('nope.yaml');
  });

  it.each([
    [['self-check', '--bogus']],
    [['self-check', '--status', '--watch']],
    [['self-check', '--interval', '5']],
    [['self-check', '--watch', '--interval', 'soon']],
    [['frobnicate']],
    [[]],
  ])('bad arguments %j: one-line error, usage, exit 64', async (argv) => {
    writeConfig(dir, sandboxConfig());
    const r = await run(argv);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/^error: /);
    expect(r.stderr).toMatch(/usage/i);
  });

  it('--help exits 0', async () => {
    const r = await run(['self-check', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--watch');
  });

  it('--watch runs, prints a status line, and stops gracefully with a final summary when signalled', async () => {
    writeConfig(dir, sandboxConfig({ primary: 'auth' }));
    const ac = new AbortController();
    const pending = cli(['self-check', '--watch', '--interval', '300'], { cwd: dir, signal: ac.signal });
    await new Promise((r) => setTimeout(r, 300));
    ac.abort();
    const r = await pending;
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/CRITICAL {2}providers 4 {2}checks 4/);
    expect(r.stdout).toContain('END OF REPORT');
    expect(r.stderr).toContain('final summary');
  });
});
