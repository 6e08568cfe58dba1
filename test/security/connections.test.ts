/**
 * Issue 18, point 3: bounded connections, before authentication. A client that sends its body
 * one byte at a time is answered 408 and cut at server.requestTimeoutMs; slow headers at
 * server.headersTimeoutMs; past server.maxConnections a new socket is refused at once.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { API_KEY, makeApp, testConfig } from '../server/helpers.js';

let app: FastifyInstance | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await app?.close();
  app = undefined;
});

async function listen(server: Record<string, unknown>): Promise<number> {
  ({ app } = await makeApp({ config: testConfig(server) }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  return (app.server.address() as { port: number }).port;
}

/** Opens a socket and resolves with what the server wrote and when it closed (ms after open). */
function openSocket(port: number, write: (s: Socket) => void): Promise<{ data: string; closedAfterMs: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    let data = '';
    const s = connect(port, '127.0.0.1', () => write(s));
    sockets.push(s);
    s.on('data', (d) => (data += d.toString()));
    s.on('error', () => undefined);
    s.on('close', () => resolve({ data, closedAfterMs: Date.now() - started }));
  });
}

describe('bounded connections', () => {
  it('an authenticated body sent one byte at a time is answered 408 and the socket closed at requestTimeoutMs', async () => {
    const port = await listen({ requestTimeoutMs: 1_000, headersTimeoutMs: 1_000 });
    const r = await openSocket(port, (s) => {
      s.write(
        `POST /v1/capabilities/webhook_dispatch HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${API_KEY}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`,
      );
      const t = setInterval(() => (s.writable ? s.write(' ') : clearInterval(t)), 200);
      s.on('close', () => clearInterval(t));
    });
    expect(r.data).toMatch(/^HTTP\/1\.1 408/);
    expect(r.data).toMatch(/x-request-id: [0-9a-f-]{36}/i);
    expect(r.data).toContain('"code":"HTTP_REQUEST_TIMEOUT"');
    expect(r.closedAfterMs).toBeLessThan(5_000);
  });

  it('a control character in a header is answered 400 in our error format with a request id', async () => {
    const port = await listen({});
    const r = await openSocket(port, (s) => s.write('GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Bad: a\x01b\r\n\r\n'));
    expect(r.data).toMatch(/^HTTP\/1\.1 400/);
    expect(r.data).toMatch(/x-request-id: [0-9a-f-]{36}/i);
    expect(r.data).toContain('"code":"GW_INVALID_REQUEST"');
  });

  it('past maxConnections a new socket is closed at once; the ones within the cap are served', async () => {
    const port = await listen({ maxConnections: 2 });
    const idle = [0, 1].map(() => connect(port, '127.0.0.1'));
    sockets.push(...idle);
    await Promise.all(idle.map((s) => new Promise((r) => s.once('connect', r))));
    await new Promise((r) => setTimeout(r, 100));
    const third = await openSocket(port, (s) => s.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
    expect(third.data).toBe('');
    expect(third.closedAfterMs).toBeLessThan(2_000);
    idle[0]!.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const fourth = await openSocket(port, (s) => s.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'));
    expect(fourth.data).toMatch(/^HTTP\/1\.1 200/);
  });
});

describe('slow headers', () => {
  it('headers that never finish are cut at headersTimeoutMs, before authentication', async () => {
    const port = await listen({ headersTimeoutMs: 1_000, requestTimeoutMs: 2_000 });
    const r = await openSocket(port, (s) => s.write('GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: '));
    expect(r.data).toMatch(/^HTTP\/1\.1 408/);
    expect(r.closedAfterMs).toBeLessThan(4_000);
  });
});
