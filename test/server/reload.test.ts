import { spawn } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { stringify } from 'yaml';
import { Gateway } from '../../src/gateway.js';
import { createServer } from '../../src/server/index.js';
import { api, silent, testConfigInput, webhook } from './helpers.js';

let dir: string;
let app: FastifyInstance | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aicmo-reload-'));
});
afterEach(async () => {
  await app?.close();
  app = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const NEW_KEY = 'rotated-key-0123456789abcdef';

function writeConfig(path: string, mutate?: (raw: ReturnType<typeof testConfigInput>) => void): void {
  const raw = testConfigInput();
  mutate?.(raw);
  writeFileSync(path, stringify(raw));
}

describe('config reload', () => {
  it('an invalid config is refused: the old one keeps serving, the error is in /v1/status and /metrics', async () => {
    const file = join(dir, 'gateway.config.yaml');
    writeConfig(file);
    const gateway = await Gateway.create({ config: file, snapshotIntervalMs: 0 });
    app = createServer(gateway, { logger: silent(), periodicChecks: false });
    const runtime = app.gatewayRuntime;

    writeFileSync(file, 'capabilities: [unclosed\n');
    expect(await runtime.reload()).toBe(false);
    writeConfig(file, (raw) => {
      (raw.server as Record<string, unknown>).port = -1;
      raw.capabilities.webhook_dispatch!.providers[0]!.name = 'Bad Name';
    });
    expect(await runtime.reload()).toBe(false);
    expect(runtime.gateway).toBe(gateway);

    const status = (await app.inject({ method: 'GET', url: '/v1/status', headers: api })).json();
    expect(status.gateway.reload).toMatchObject({ attempts: 2, lastSuccessAt: null, error: { code: 'GW_CONFIG_INVALID' } });
    const paths = status.gateway.reload.error.problems.map((p: { path: string }) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['server.port', 'capabilities.webhook_dispatch.providers[0].name']));
    const served = await app.inject({ method: 'POST', url: '/v1/capabilities/webhook_dispatch', headers: api, payload: webhook() });
    expect(served.statusCode).toBe(200);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics', headers: api })).body;
    expect(metrics).toMatch(/^aicmo_config_reload_failed 1$/m);
  });

  it('a valid config builds a new gateway and swaps it in: new chains, new keys, the old gateway closed', async () => {
    const file = join(dir, 'gateway.config.yaml');
    writeConfig(file);
    const gateway = await Gateway.create({ config: file, snapshotIntervalMs: 0 });
    app = createServer(gateway, { logger: silent(), periodicChecks: false });
    const runtime = app.gatewayRuntime;
    let oldClosed = false;
    const close = gateway.close.bind(gateway);
    gateway.close = async () => {
      oldClosed = true;
      await close();
    };

    writeFileSync(file, 'broken: [\n');
    expect(await runtime.reload()).toBe(false);
    writeConfig(file, (raw) => {
      (raw.server as Record<string, unknown>).apiKeys = [{ name: 'rotated', key: NEW_KEY }];
      (raw.server as Record<string, unknown>).port = 9999;
      raw.capabilities.webhook_dispatch!.providers.push({ name: 'hook_third', type: 'webhook', sandbox: { latencyMs: 0 } });
    });
    expect(await runtime.reload()).toBe(true);
    expect(runtime.gateway).not.toBe(gateway);

    const auth = { authorization: `Bearer ${NEW_KEY}` };
    expect((await app.inject({ method: 'GET', url: '/v1/status', headers: api })).statusCode).toBe(401);
    const status = (await app.inject({ method: 'GET', url: '/v1/status', headers: auth })).json();
    expect(status.gateway.reload).toMatchObject({ attempts: 2, error: null, pendingRestart: ['server.port'] });
    const hook = status.capabilities.find((c: { capability: string }) => c.capability === 'webhook_dispatch');
    expect(hook.providers.map((p: { name: string }) => p.name)).toEqual(['hook_primary', 'hook_backup', 'hook_third']);
    const served = await app.inject({ method: 'POST', url: '/v1/capabilities/webhook_dispatch', headers: auth, payload: webhook() });
    expect(served.statusCode).toBe(200);
    expect(runtime.gateway.getSandbox('hook_primary')!.calls).toBe(1);
    await app.close();
    app = undefined;
    expect(oldClosed).toBe(true);
  });
});

describe('a reload never removes authentication from a public listener', () => {
  it('keys removed, or a key whose variable is unset: the reload is refused, the old keys keep guarding the admin routes', async () => {
    // An alert webhook on loopback receives the refusal as an alert, and its resolution.
    const alerts: { type: string; data: { issueKey: string; severity: string } }[] = [];
    const sink = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        alerts.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    const alertUrl = `http://127.0.0.1:${(sink.address() as { port: number }).port}/alerts`;
    const file = join(dir, 'gateway.config.yaml');
    const withAlerts = (raw: ReturnType<typeof testConfigInput>) =>
      void ((raw as Record<string, unknown>).monitoring = { intervalSeconds: 0, alertWebhooks: [{ url: alertUrl }] });
    writeConfig(file, withAlerts);
    const gateway = await Gateway.create({ config: file, snapshotIntervalMs: 0 });
    app = createServer(gateway, { logger: silent(), periodicChecks: false, bindHost: '0.0.0.0' });
    const runtime = app.gatewayRuntime;
    const isolate = () => app!.inject({ method: 'POST', url: '/v1/providers/hook_backup/isolate' });
    expect((await isolate()).statusCode).toBe(401);

    writeConfig(file, (raw) => {
      withAlerts(raw);
      (raw.server as Record<string, unknown>).apiKeys = [];
      (raw.server as Record<string, unknown>).adminKeys = [];
    });
    expect(await runtime.reload()).toBe(false);
    expect(runtime.gateway).toBe(gateway);
    expect((await isolate()).statusCode).toBe(401);
    await runtime.monitoring.alerts.flush();
    expect(alerts.map((a) => [a.type, a.data.issueKey, a.data.severity])).toEqual([
      ['recommendation.opened', 'config_reload_failed', 'critical'],
    ]);
    let status = (await app.inject({ method: 'GET', url: '/v1/status', headers: api })).json();
    expect(status.gateway.reload.error).toMatchObject({ code: 'GW_CONFIG_INVALID', problems: [{ path: 'server.apiKeys' }] });

    writeConfig(file, (raw) => {
      (raw.server as Record<string, unknown>).apiKeys = ['${ROTATED_KEY_NOT_SET}'];
      (raw.server as Record<string, unknown>).adminKeys = [];
    });
    expect(await runtime.reload()).toBe(false);
    expect((await isolate()).statusCode).toBe(401);
    status = (await app.inject({ method: 'GET', url: '/v1/status', headers: api })).json();
    expect(status.gateway.reload.error.problems).toEqual([
      { path: 'server.apiKeys[0]', message: expect.stringContaining('${ROTATED_KEY_NOT_SET} is not set') },
    ]);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics', headers: api })).body;
    expect(metrics).toMatch(/^aicmo_config_reload_failed 1$/m);
    writeConfig(file, withAlerts); // keys back: the reload goes through and the alert resolves
    expect(await runtime.reload()).toBe(true);
    await runtime.monitoring.alerts.flush();
    expect(alerts.at(-1)).toMatchObject({ type: 'recommendation.resolved', data: { issueKey: 'config_reload_failed' } });
    await new Promise((r) => sink.close(r));
  });

  it('on a loopback listener a reload may drop the keys (the documented local default)', async () => {
    const file = join(dir, 'gateway.config.yaml');
    writeConfig(file);
    const gateway = await Gateway.create({ config: file, snapshotIntervalMs: 0 });
    app = createServer(gateway, { logger: silent(), periodicChecks: false, bindHost: '127.0.0.1' });
    writeConfig(file, (raw) => {
      (raw.server as Record<string, unknown>).apiKeys = [];
      (raw.server as Record<string, unknown>).adminKeys = [];
    });
    expect(await app.gatewayRuntime.reload()).toBe(true);
  });
});

describe('aicmo-gateway serve in a child process', () => {
  it('serves, keeps running on SIGHUP with a bad config (error in /v1/status), and stops on SIGTERM with exit 0', async () => {
    const root = resolve(import.meta.dirname, '../..');
    const file = join(dir, 'gw.yaml');
    writeConfig(file, (raw) => {
      (raw.server as Record<string, unknown>).apiKeys = [];
      (raw.server as Record<string, unknown>).adminKeys = [];
      raw.logLevel = 'info';
    });
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(root, 'src/cli/main.ts'),
        'serve',
        '--config',
        file,
        '--port',
        '0',
        '--store',
        `sqlite:${join(dir, 'gw.db')}`,
      ],
      {
        cwd: root,
        env: { ...process.env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const url = await waitFor(
        () => /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out)?.[1],
        20_000,
        () => `no listening line; stdout: ${out} stderr: ${err}`,
      );
      const ok = await fetch(`${url}/v1/capabilities/webhook_dispatch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(webhook()),
      });
      expect(ok.status).toBe(200);

      writeFileSync(file, 'capabilities: [unclosed\n');
      child.kill('SIGHUP');
      const reload = await waitFor(
        async () => {
          const s = (await (await fetch(`${url}/v1/status`)).json()) as {
            gateway: { reload: { attempts: number; error: { code: string } | null } };
          };
          return s.gateway.reload.attempts === 1 ? s.gateway.reload : undefined;
        },
        10_000,
        () => 'reload never attempted',
      );
      expect(reload.error?.code).toBe('GW_CONFIG_INVALID');
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect(out).toContain('config reload failed');

      child.kill('SIGTERM');
      expect(await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 10_000))])).toBe(0);
      expect(out).toMatch(/"msg":"stopped"/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number, why: () => string): Promise<T> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch {
      // not ready yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(why());
}
