/** `aicmo-gateway outbox list | show | retry | purge | resolve` against a SQLite delivery database. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxCommand } from '../../src/cli/outbox.js';
import type { LeasableOutbox } from '../../src/delivery/outbox.js';
import { deliveryConfig, deliveryFixture, hook, post } from './helpers.js';

async function cli(dir: string, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  let code = 0;
  const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: {}, cwd: dir };
  const program = new Command('aicmo-gateway')
    .option('-c, --config <path>')
    .option('--store <url>')
    .exitOverride()
    .configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
  const sub = outboxCommand(
    io,
    () => program.opts(),
    (c) => (code = c),
  );
  sub.exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
  for (const c of sub.commands) c.exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
  program.addCommand(sub);
  try {
    await program.parseAsync(['-c', join(dir, 'gateway.config.json'), 'outbox', ...argv], { from: 'user' });
  } catch (error) {
    const e = error as { exitCode?: number; message: string };
    code = e.exitCode ?? 3;
    err += e.message;
  }
  return { code, out, err };
}

describe('outbox CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aicmo-outbox-cli-'));
  let dead = '';
  let unknown = '';
  beforeAll(async () => {
    const raw = {
      mode: 'dry_run',
      store: 'sqlite:./data/gw.db',
      logLevel: 'silent',
      monitoring: { intervalSeconds: 0 },
      capabilities: { webhook_dispatch: { providers: [{ name: 'hook_a', type: 'webhook' }] } },
    };
    writeFileSync(join(dir, 'gateway.config.json'), JSON.stringify(raw));
    const f = await deliveryFixture(deliveryConfig({ providers: [{ name: 'hook_a' }] }), {
      storeUrl: `sqlite:${join(dir, 'data', 'gw.db')}`,
    });
    const outbox = f.service.outbox as LeasableOutbox;
    dead = (await post(f.app, hook(1), { 'idempotency-key': 'cli-dead', prefer: 'respond-async' })).json().deliveryId;
    unknown = (await post(f.app, hook(2), { 'idempotency-key': 'cli-unknown', prefer: 'respond-async' })).json().deliveryId;
    await post(f.app, hook(3), { 'idempotency-key': 'cli-pending', prefer: 'respond-async' });
    const now = Date.now();
    await outbox.lease('w', now, 10_000, ['webhook_dispatch']);
    await outbox.finish(
      dead,
      'w',
      { state: 'dead', error: { code: 'GW_ALL_PROVIDERS_FAILED', kind: 'transient', message: 'too old' } },
      now,
    );
    await outbox.lease('w', now, 10_000, ['webhook_dispatch']);
    await outbox.finish(
      unknown,
      'w',
      { state: 'unknown_outcome', error: { code: 'GW_UNKNOWN_OUTCOME', kind: 'unknown_outcome', message: 'hung' } },
      now,
    );
    await f.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists deliveries with counts, filtered by state', async () => {
    const all = await cli(dir, ['list']);
    expect(all.code).toBe(0);
    expect(all.out).toContain('pending 1 | in_progress 0 | delivered 0 | failed 0 | dead 1 | unknown_outcome 1');
    expect(all.out).toContain(dead);
    const json = JSON.parse((await cli(dir, ['list', '--state', 'dead', '--json'])).out);
    expect(json.deliveries.map((d: { id: string }) => d.id)).toEqual([dead]);
    expect((await cli(dir, ['list', '--state', 'nope'])).code).not.toBe(0);
  });

  it('shows a delivery by id or by key', async () => {
    const byId = await cli(dir, ['show', dead]);
    expect(byId.out).toContain(`Delivery ${dead}: dead`);
    expect(byId.out).toContain('GW_ALL_PROVIDERS_FAILED');
    const byKey = JSON.parse((await cli(dir, ['show', 'cli-unknown', '--json'])).out);
    expect(byKey.delivery.id).toBe(unknown);
    expect(byKey.ledger.state).toBe('unknown_outcome');
    expect((await cli(dir, ['show', 'nothing'])).code).toBe(3);
  });

  it('retries a dead delivery and resolves an unknown outcome', async () => {
    const r = await cli(dir, ['retry', dead]);
    expect(r.code).toBe(0);
    expect(JSON.parse((await cli(dir, ['show', dead, '--json'])).out).delivery.state).toBe('pending');
    expect((await cli(dir, ['resolve', 'cli-unknown'])).code).toBe(64);
    const res = await cli(dir, ['resolve', 'cli-unknown', '--delivered']);
    expect(res.code).toBe(0);
    expect(res.out).toContain('succeeded');
    expect(JSON.parse((await cli(dir, ['show', unknown, '--json'])).out).delivery.state).toBe('delivered');
  });

  it('purges finished deliveries only', async () => {
    const p = await cli(dir, ['purge']);
    expect(p.code).toBe(0);
    expect(p.out).toContain('Purged 1 delivery.');
    const left = JSON.parse((await cli(dir, ['list', '--json'])).out);
    expect(left.counts).toMatchObject({ pending: 2, delivered: 0 });
  });
});
