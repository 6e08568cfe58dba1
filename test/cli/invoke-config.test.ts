import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, sandboxConfig, tempDir, writeConfig } from './helpers.js';

const email = { from: 'ops@example.com', to: ['lead@example.org'], subject: 'Hello', text: 'Hi there' };

describe('aicmo-gateway invoke / config check / serve', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());
  const run = (argv: string[]) => cli(argv, { cwd: dir });

  it('invoke prints the result and the attempts trace', async () => {
    writeConfig(dir, sandboxConfig());
    const r = await run(['invoke', 'email_sending', '--data', JSON.stringify(email), '--idempotency-key', 'k-123']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^OK via smtp_primary in \d+ ms \(idempotency key k-123\)/);
    expect(r.stdout).toMatch(/Attempts:\n {2}1\. smtp_primary +success/);
  });

  it('invoke --data @file and --json', async () => {
    writeConfig(dir, sandboxConfig());
    writeFileSync(join(dir, 'req.json'), JSON.stringify(email));
    const r = await run(['invoke', 'email_sending', '--data', '@req.json', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ ok: true, provider: 'smtp_primary', attempts: [{ provider: 'smtp_primary', outcome: 'success' }] });
  });

  it('invoke with an invalid request exits 1 and lists the field problems', async () => {
    writeConfig(dir, sandboxConfig());
    const r = await run(['invoke', 'email_sending', '--data', '{"subject": 5}']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAILED GW_INVALID_REQUEST \(invalid_request\)/);
    expect(r.stdout).toMatch(/ {2}- \S+: /);
  });

  it('invoke: bad JSON, missing file or missing --data are usage errors (64); an unknown capability cannot run (3)', async () => {
    writeConfig(dir, sandboxConfig());
    for (const argv of [
      ['invoke', 'email_sending', '--data', '{nope'],
      ['invoke', 'email_sending', '--data', '@missing.json'],
      ['invoke', 'email_sending'],
    ]) {
      const r = await run(argv);
      expect(r.code, argv.join(' ')).toBe(64);
      expect(r.stderr).toMatch(/^error: /);
    }
    const unknown = await run(['invoke', 'lead_enrichment', '--data', '{}']);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('no chain is configured for capability "lead_enrichment"');
  });

  it('config check: valid -> 0; --print shows the effective config with secrets redacted', async () => {
    const config = sandboxConfig();
    (config as { server: unknown }).server = { apiKeys: ['k'.repeat(24) + 'SECRETVALUE'] };
    writeConfig(dir, config);
    const r = await run(['config', 'check', '--print']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Config OK: .*gateway\.config\.yaml \(mode dry_run, 2 capabilities, 4 providers\)/);
    expect(r.stdout).toContain('[redacted]');
    expect(r.stdout).not.toContain('SECRETVALUE');
    expect(r.stdout).toContain('probeConcurrency: 4'); // defaults applied
  });

  it('config check: every problem listed with its path, exit 3', async () => {
    writeConfig(dir, { mode: 'sometimes', monitoring: { probeConcurrency: 0 }, capabilities: {} });
    const r = await run(['config', 'check']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^Config invalid: /);
    expect(r.stderr).toMatch(/ {2}- mode: /);
    expect(r.stderr).toMatch(/ {2}- monitoring\.probeConcurrency: /);
  });

  it('serve is registered (its --help exits 0)', async () => {
    const r = await run(['serve', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('serve');
  });
});
