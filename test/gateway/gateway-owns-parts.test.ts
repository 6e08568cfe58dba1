/**
 * The Gateway owns its parts: one store, its chains, its delivery stack and its monitoring,
 * started and stopped by the Gateway itself. No module-level state: two gateways share nothing.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.js';
import { Gateway } from '../../src/gateway.js';

const config = (store: string, intervalSeconds = 0) =>
  validateConfig(
    {
      mode: 'dry_run',
      store,
      logLevel: 'silent',
      monitoring: { intervalSeconds },
      delivery: { outbox: { baseDelayMs: 10, maxDelayMs: 20, pollMs: 10 } },
      capabilities: {
        webhook_dispatch: {
          providers: [
            { name: 'hook_a', type: 'webhook', sandbox: { latencyMs: 0 } },
            { name: 'hook_b', type: 'webhook', sandbox: { latencyMs: 0 } },
          ],
        },
      },
    },
    {},
  ).config;

describe('Gateway owns its parts', () => {
  const open: Gateway[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((g) => g.close()));
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const create = async (...args: Parameters<typeof Gateway.create>) => {
    const g = await Gateway.create(...args);
    open.push(g);
    return g;
  };

  it('two gateways have their own chains, registry and self-check service; the seed names are methods', async () => {
    const a = await create({ config: config('memory:'), snapshotIntervalMs: 0 });
    const b = await create({ config: config('memory:'), snapshotIntervalMs: 0 });
    expect(a.getRegistry()).toBe(a.monitoring.registry);
    expect(a.getSelfCheckService()).toBe(a.monitoring.service);
    expect(a.getRegistry()).not.toBe(b.getRegistry());
    expect(a.getProviderChain('webhook_dispatch')).not.toBe(b.getProviderChain('webhook_dispatch'));
    await a.getSelfCheckService().runFullCheck();
    expect(await a.getRegistry().getHealthHistory()).toHaveLength(2);
    expect(await b.getRegistry().getHealthHistory()).toHaveLength(0);
  });

  it('opens the SQLite store of the config relative to cwd, and the delivery database only when delivery is used', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-owns-'));
    dirs.push(dir);
    const g = await create({ config: config('sqlite:./data/gw.db'), cwd: dir, snapshotIntervalMs: 0 });
    expect(existsSync(join(dir, 'data', 'gw.db'))).toBe(true);
    expect(existsSync(join(dir, 'data', 'gw.delivery.db'))).toBe(false);
    const s = await g.submit('webhook_dispatch', { event: 'a', payload: {} }, { idempotencyKey: 'k1' });
    expect(s).toMatchObject({ status: 'completed', replayed: false });
    expect(existsSync(join(dir, 'data', 'gw.delivery.db'))).toBe(true);
  });

  it('start() runs the outbox worker and traffic health history; stop() ends both and the gateway still serves', async () => {
    const g = await create({ config: config('memory:'), snapshotIntervalMs: 0 });
    for (const n of ['hook_a', 'hook_b']) g.getSandbox(n)!.setFailure('transient');
    const queued = await g.submit('webhook_dispatch', { event: 'a', payload: {} }, { idempotencyKey: 'k-q' });
    expect(queued.status).toBe('accepted');
    expect(await g.outboxBacklog()).toEqual({ webhook_dispatch: 1 });
    // Not started: nothing delivers it.
    for (const n of ['hook_a', 'hook_b']) g.getSandbox(n)!.setFailure(null);
    await new Promise((r) => setTimeout(r, 100));
    expect(await g.outboxBacklog()).toEqual({ webhook_dispatch: 1 });
    g.start({ periodicChecks: false });
    expect(g.monitoring.started).toBe(true);
    for (let i = 0; i < 100 && (await g.outboxBacklog()).webhook_dispatch; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await g.outboxBacklog()).toEqual({});
    await g.stop();
    expect(g.monitoring.started).toBe(false);
    expect((await g.invoke('webhook_dispatch', { event: 'b', payload: {} })).provider).toBe('hook_a');
  });
});
