/**
 * Issue 18, points 7 and 10: alert URLs are secrets (their path can be the credential); a YAML
 * alias cycle is a clear config error; numbers have upper bounds; store files are 0600.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BUNDLED_CONFIG, loadConfig, redactConfig, validateConfig } from '../../src/config/index.js';
import { GatewayError } from '../../src/core/errors.js';
import { openDeliveryDb } from '../../src/delivery/delivery-db.js';
import { AlertNotifier } from '../../src/monitoring/alerts/alert-notifier.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const SLACK = 'https://hooks.slack.com/services/T000SECRET/B000SECRET/XXXXSECRETXXXX';
let dir: string;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

describe('alert webhook URLs are secrets', () => {
  it('config --print shows only the origin; a failed delivery logs only the origin', async () => {
    const { config } = validateConfig({ ...BUNDLED_CONFIG, monitoring: { alertWebhooks: [{ url: SLACK }] } }, {});
    const printed = JSON.stringify(redactConfig(config));
    expect(printed).not.toContain('SECRET');
    expect(printed).toContain('https://hooks.slack.com/[redacted]');
    const lines: string[] = [];
    const logger = {
      debug: () => undefined,
      info: () => undefined,
      error: () => undefined,
      warn: (fields: unknown) => void lines.push(JSON.stringify(fields)),
    };
    const notifier = new AlertNotifier({
      channels: [{ type: 'webhook', url: SLACK }],
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
      logger,
      fetch: async () => new Response('no', { status: 500 }),
    });
    notifier.notify({
      type: 'recommendation.opened',
      at: 0,
      recommendation: {
        provider: 'p',
        capability: 'c',
        issueKey: 'k',
        severity: 'critical',
        health: 'UNHEALTHY',
        issue: 'i',
        action: 'a',
        firstSeen: 0,
        lastSeen: 0,
        occurrences: 1,
        resolvedAt: null,
      },
    });
    await notifier.flush();
    expect(lines.join('\n')).toContain('hooks.slack.com');
    expect(lines.join('\n')).not.toContain('SECRET');
  });
});

describe('config validation holes', () => {
  it('a YAML alias cycle is a config error with its path, not a stack overflow', () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-sec-'));
    const file = join(dir, 'gateway.config.yaml');
    writeFileSync(
      file,
      'mode: dry_run\ncapabilities:\n  email_sending: &loop\n    providers:\n      - name: a\n        type: smtp\n        options: *loop\n',
    );
    const error = (() => {
      try {
        loadConfig(file, {}, dir);
      } catch (e) {
        return e as GatewayError;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(GatewayError);
    expect(error!.code).toBe('GW_CONFIG_INVALID');
    expect(error!.details!.problems).toEqual([
      { path: 'capabilities.email_sending.providers[0].options', message: expect.stringContaining('alias') },
    ]);
  });

  it('weight has an upper bound', () => {
    const raw = { ...BUNDLED_CONFIG, capabilities: { webhook_dispatch: { providers: [{ name: 'w', type: 'webhook', weight: 1e12 }] } } };
    expect(() => validateConfig(raw, {})).toThrow(GatewayError);
  });
});

describe('store files', () => {
  it('the SQLite store and the delivery database are created readable by their owner only (0600), WAL files too', () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-sec-'));
    const storePath = join(dir, 'data', 'gateway.db');
    const store = new SqliteStore(storePath);
    const db = openDeliveryDb(join(dir, 'data', 'gateway.delivery.db'));
    db.exec('CREATE TABLE IF NOT EXISTS probe_mode (x); INSERT INTO probe_mode VALUES (1)');
    for (const f of ['gateway.db', 'gateway.delivery.db', 'gateway.delivery.db-wal'])
      expect((statSync(join(dir, 'data', f)).mode & 0o777).toString(8), f).toBe('600');
    expect((statSync(join(dir, 'data')).mode & 0o777).toString(8)).toBe('700');
    db.close();
    void store.close();
  });
});

describe('every config problem at once', () => {
  it('a missing required option does not hide a type error next to it', () => {
    const raw = {
      ...BUNDLED_CONFIG,
      mode: 'live',
      capabilities: { crm_sync: { providers: [{ name: 'a', type: 'airtable', options: { baseId: 42, table: 'Contacts' } }] } },
    };
    let problems: { path: string }[] = [];
    try {
      validateConfig(raw, {});
    } catch (e) {
      problems = (e as GatewayError).details!.problems as { path: string }[];
    }
    expect(problems.map((p) => p.path)).toEqual(['capabilities.crm_sync.providers[0].options.baseId']);
  });
});

describe('config check output', () => {
  it('prints each problem once', async () => {
    const { cli } = await import('../cli/helpers.js');
    dir = mkdtempSync(join(tmpdir(), 'gw-sec-'));
    writeFileSync(join(dir, 'gateway.config.yaml'), 'server:\n  port: 70000\ncapabilities: {}\n');
    const r = await cli(['config', 'check'], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr.split('server.port').length - 1).toBe(1);
  });
});
