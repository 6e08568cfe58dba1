/** `aicmo-gateway job submit | status | list | pause | resume | cancel | results` on a SQLite store (and a Redis one) with sandbox providers. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { jobCommand } from '../../src/cli/job.js';
import { redisSkipReason, startRedis } from '../harness/redis.js';

async function cli(dir: string, argv: string[], tty = false, globals: string[] = []): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  let code = 0;
  const io = {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s), isTTY: tty },
    env: {},
    cwd: dir,
  };
  const program = new Command('aicmo-gateway').option('-c, --config <path>').option('--store <url>').exitOverride();
  const sub = jobCommand(
    io,
    () => program.opts(),
    (c) => (code = c),
  );
  sub.exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
  for (const c of sub.commands) c.exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
  program.addCommand(sub);
  try {
    await program.parseAsync(['-c', join(dir, 'gateway.config.json'), ...globals, 'job', ...argv], { from: 'user' });
  } catch (error) {
    const e = error as { exitCode?: number; message: string };
    code = e.exitCode ?? 3;
    err += e.message;
  }
  return { code, out, err };
}

describe('job CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aicmo-job-cli-'));
  writeFileSync(
    join(dir, 'gateway.config.json'),
    JSON.stringify({
      mode: 'dry_run',
      store: 'sqlite:./data/gw.db',
      logLevel: 'silent',
      monitoring: { intervalSeconds: 0 },
      delivery: { outbox: { pollMs: 20 } },
      capabilities: {
        webhook_dispatch: { providers: [{ name: 'hook_a', type: 'webhook', sandbox: { latencyMs: 0 } }] },
        email_verification: { providers: [{ name: 'verifier', type: 'local_verifier', sandbox: { latencyMs: 0 } }] },
      },
    }),
  );
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('submits an NDJSON file, drains it in-process with a progress bar on a TTY, and shows status, list and results', async () => {
    const lines = Array.from({ length: 40 }, (_, i) => JSON.stringify({ event: 'contact.created', payload: { i } }));
    writeFileSync(join(dir, 'items.ndjson'), `${lines.join('\n')}\n`);
    const r = await cli(dir, ['submit', 'items.ndjson', '--capability', 'webhook_dispatch', '--drain'], true);
    expect(r.err).toContain('[##############################] 40/40 (100%) completed');
    expect(r.code).toBe(0);
    const id = /job (job_[0-9a-f]+)/.exec(r.out)![1]!;
    expect(r.out).toContain(`stored job ${id} with 40 items`);
    expect(r.out).toContain('delivered 40');
    const status = await cli(dir, ['status', id, '--json']);
    expect(JSON.parse(status.out)).toMatchObject({
      id,
      state: 'completed',
      items: 40,
      counts: { delivered: 40 },
      providers: { hook_a: 40 },
    });
    const list = await cli(dir, ['list']);
    expect(list.out).toContain(id);
    expect(list.out).toContain('40/40');
    const results = (await cli(dir, ['results', id])).out.trim().split('\n');
    expect(results).toHaveLength(40);
    expect(JSON.parse(results[39]!)).toMatchObject({ position: 39, state: 'delivered', idempotencyKey: `${id}:39`, provider: 'hook_a' });
    expect((await cli(dir, ['results', id, '--failures'])).out).toBe('');
  });

  it('submits a JSON array without draining; pause and cancel act on it; a bad item names its line and field', async () => {
    writeFileSync(join(dir, 'verify.json'), JSON.stringify([{ email: 'a@example.com' }, { email: 'b@example.com' }]));
    const r = await cli(dir, ['submit', 'verify.json', '--capability', 'email_verification', '--key', 'list-1']);
    expect(r.code).toBe(0);
    const id = /job (job_[0-9a-f]+)/.exec(r.out)![1]!;
    const again = await cli(dir, ['submit', 'verify.json', '--capability', 'email_verification', '--key', 'list-1']);
    expect(again.out).toContain(`already submitted under this key: job ${id}`);
    expect((await cli(dir, ['pause', id])).out).toContain('paused');
    const cancelled = await cli(dir, ['cancel', id]);
    expect(cancelled.out).toContain('cancelled');
    expect(cancelled.out).toContain('cancelled 2');
    writeFileSync(join(dir, 'bad.ndjson'), `${JSON.stringify({ email: 'a@example.com' })}\n${JSON.stringify({ mail: 'b@example.com' })}\n`);
    const bad = await cli(dir, ['submit', 'bad.ndjson', '--capability', 'email_verification']);
    expect(bad.code).toBe(3);
    expect(bad.err).toContain('items[1].email');
    const missing = await cli(dir, ['status', 'job_nope']);
    expect(missing.code).toBe(3);
    expect(missing.err).toContain('job job_nope is not known');
  });
});

describe.skipIf(redisSkipReason())('job CLI on the Redis store', () => {
  it('submits and drains in-process through the BullMQ outbox, then shows status and results', { timeout: 30_000 }, async () => {
    const redis = await startRedis();
    const dir = mkdtempSync(join(tmpdir(), 'aicmo-job-cli-redis-'));
    try {
      writeFileSync(
        join(dir, 'gateway.config.json'),
        JSON.stringify({
          mode: 'dry_run',
          logLevel: 'silent',
          monitoring: { intervalSeconds: 0 },
          delivery: { outbox: { pollMs: 20 } },
          capabilities: { webhook_dispatch: { providers: [{ name: 'hook_a', type: 'webhook', sandbox: { latencyMs: 0 } }] } },
        }),
      );
      const lines = Array.from({ length: 30 }, (_, i) => JSON.stringify({ event: 'contact.created', payload: { i } }));
      writeFileSync(join(dir, 'items.ndjson'), `${lines.join('\n')}\n`);
      const store = ['--store', redis.url];
      const r = await cli(dir, ['submit', 'items.ndjson', '--capability', 'webhook_dispatch', '--drain'], false, store);
      expect(r.err).toContain('30/30 (100%) completed'); // plain progress lines (no TTY)
      expect(r.code).toBe(0);
      const id = /job (job_[0-9a-f]+)/.exec(r.out)![1]!;
      expect(r.out).toContain('delivered 30');
      const status = await cli(dir, ['status', id, '--json'], false, store);
      expect(JSON.parse(status.out)).toMatchObject({
        id,
        state: 'completed',
        items: 30,
        counts: { delivered: 30 },
        providers: { hook_a: 30 },
      });
      const results = (await cli(dir, ['results', id], false, store)).out.trim().split('\n');
      expect(results.map((l) => (JSON.parse(l) as { position: number }).position)).toEqual([...Array(30).keys()]);
    } finally {
      await redis.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
