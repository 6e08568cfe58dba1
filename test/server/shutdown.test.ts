import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Gateway } from '../../src/gateway.js';
import { createServer } from '../../src/server/index.js';
import { shutdownGracefully } from '../../src/server/lifecycle.js';
import { API_KEY, silent, testConfig } from './helpers.js';

function post(port: number, agent = true): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ event: 'contact.created', payload: { id: 1 } });
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/v1/capabilities/webhook_dispatch',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json', ...(agent ? {} : { connection: 'close' }) },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function start(latencyMs: number, graceMs: number) {
  const config = testConfig({ shutdownGraceMs: graceMs }, (raw) => {
    raw.capabilities.webhook_dispatch!.providers[0]!.sandbox = { latencyMs };
    raw.capabilities.webhook_dispatch!.deadlineMs = 10_000;
  });
  const gateway = await Gateway.create({ config, snapshotIntervalMs: 0 });
  const app = createServer(gateway, { logger: silent(), periodicChecks: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, gateway, port: (app.server.address() as AddressInfo).port };
}

describe('graceful shutdown on a real socket', () => {
  it('finishes every request in flight, refuses new connections, then closes the gateway', async () => {
    const { app, gateway, port } = await start(400, 5_000);
    // Responses the server has finished (handed to the socket), counted when the gateway closes:
    // the client hears of a response later than that, so its clock cannot tell the order.
    let finished = 0;
    let finishedWhenGatewayClosed = -1;
    app.server.on('request', (_req, res) => res.on('finish', () => finished++));
    const close = gateway.close.bind(gateway);
    gateway.close = async () => {
      if (finishedWhenGatewayClosed < 0) finishedWhenGatewayClosed = finished; // the first close counts
      await close();
    };
    const inFlight = Array.from({ length: 8 }, (_, i) => post(port, i % 2 === 0));
    const sandbox = gateway.getSandbox('hook_primary')!;
    while (sandbox.calls < 8) await new Promise((r) => setTimeout(r, 10));

    const stopping = shutdownGracefully(app, 5_000);
    await new Promise((r) => setTimeout(r, 20));
    await expect(post(port)).rejects.toThrow(/ECONNREFUSED|ECONNRESET|socket hang up/);

    const results = await Promise.all(inFlight);
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(results.every((r) => JSON.parse(r.body).provider === 'hook_primary')).toBe(true);
    expect(await stopping).toEqual({ forced: false });
    expect(finishedWhenGatewayClosed).toBe(8);
    expect(sandbox.deliveries.size).toBe(8);
  });

  it('cuts connections still open when the grace period expires', async () => {
    const { app, gateway, port } = await start(5_000, 300);
    const hanging = post(port).then(
      (r) => r.status,
      () => 'cut',
    );
    const sandbox = gateway.getSandbox('hook_primary')!;
    while (sandbox.calls < 1) await new Promise((r) => setTimeout(r, 10));
    const started = Date.now();
    expect(await shutdownGracefully(app, 300)).toEqual({ forced: true });
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(await hanging).toBe('cut');
  });
});
