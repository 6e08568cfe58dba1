/** The HTTP client every adapter uses, against a real loopback server: what is refused unsent, limits, and how failures map. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../../src/core/errors.js';
import { httpRequest, type HttpRequest } from '../../../src/providers/http/client.js';
import { closedPort } from '../webhook/fixtures.js';

describe('httpRequest', () => {
  let server: http.Server;
  let base = '';
  let received: { path: string; headers: http.IncomingHttpHeaders; body: string }[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, body });
        if (req.url === '/big-declared') res.writeHead(200, { 'content-length': '5000' }).end('x'.repeat(5000));
        else if (req.url === '/big-chunked') {
          res.writeHead(200, { 'content-type': 'text/plain' });
          for (let i = 0; i < 10; i++) res.write('y'.repeat(500));
          res.end();
        } else if (req.url === '/redirect') res.writeHead(307, { location: 'https://elsewhere.example/' }).end();
        else if (req.url === '/headers')
          res
            .writeHead(200, [
              ['x-limit', '10'],
              ['set-cookie', 'a=1'],
              ['set-cookie', 'b=2'],
            ])
            .end('not json');
        else if (req.url === '/drop') req.socket.destroy();
        else if (req.url === '/hang') return;
        else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const call = (over: Partial<HttpRequest>): Promise<Awaited<ReturnType<typeof httpRequest>>> =>
    httpRequest({ method: 'POST', url: `${base}/`, signal: AbortSignal.timeout(5_000), provider: 'p', sideEffects: true, ...over });
  const failure = (over: Partial<HttpRequest>): Promise<GatewayError> =>
    call(over).then(
      () => {
        throw new Error('expected a failure');
      },
      (e: unknown) => e as GatewayError,
    );

  it('sends JSON with its content type and parses a JSON answer', async () => {
    received = [];
    const res = await call({ body: { a: 1 }, headers: { 'x-trace': 't1' } });
    expect(res).toMatchObject({ status: 200, json: { ok: true } });
    expect(received[0]).toMatchObject({
      body: '{"a":1}',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-trace': 't1' },
    });
  });

  it('does not follow a redirect, and every header of the answer is readable (repeated ones joined)', async () => {
    const redirect = await call({ url: `${base}/redirect` });
    expect(redirect.status).toBe(307);
    expect(redirect.headers.get('location')).toBe('https://elsewhere.example/');
    const res = await call({ url: `${base}/headers` });
    expect(res.headers.get('x-limit')).toBe('10');
    expect(res.headers.get('X-Limit')).toBe('10');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(res).toMatchObject({ text: 'not json', json: undefined });
  });

  it('refuses a body over the limit, declared or streamed', async () => {
    expect(await failure({ url: `${base}/big-declared`, maxBytes: 1_000 })).toMatchObject({
      code: 'GW_PROVIDER_BAD_RESPONSE',
      message: 'Response body of 5000 bytes exceeds the 1000-byte limit',
    });
    expect(await failure({ url: `${base}/big-chunked`, maxBytes: 1_000 })).toMatchObject({
      code: 'GW_PROVIDER_BAD_RESPONSE',
      message: 'Response body exceeds the 1000-byte limit',
    });
    expect((await call({ url: `${base}/big-chunked`, maxBytes: 5_000 })).text).toHaveLength(5_000);
  });

  it('sends nothing to a URL with credentials, an invalid URL or a blocked port, and says which option is wrong', async () => {
    received = [];
    const port = new URL(base).port;
    const withCredentials = await failure({ url: `http://user:hunter2@127.0.0.1:${port}/`, urlOption: 'url' });
    expect(withCredentials).toMatchObject({ kind: 'misconfigured', code: 'GW_PROVIDER_MISCONFIGURED', details: { option: 'url' } });
    expect(withCredentials.message).toContain('carries credentials');
    expect(withCredentials.message).not.toContain('hunter2');
    expect(await failure({ url: 'not a url', urlOption: 'baseUrl' })).toMatchObject({
      code: 'GW_PROVIDER_MISCONFIGURED',
      message: 'POST [unparseable url] was not sent: the URL is not valid',
      details: { option: 'baseUrl' },
    });
    const smtp = await failure({ url: 'http://127.0.0.1:25/' });
    expect(smtp).toMatchObject({ code: 'GW_PROVIDER_MISCONFIGURED', details: {} });
    expect(smtp.message).toContain('port 25 is reserved for another protocol');
    expect(received).toEqual([]);
  });

  it('maps network failures: refused before sending is transient; a connection lost after sending is an unknown outcome', async () => {
    const dead = `http://127.0.0.1:${await closedPort()}/`;
    expect(await failure({ url: dead })).toMatchObject({ code: 'GW_PROVIDER_TRANSIENT', details: { networkCode: 'ECONNREFUSED' } });
    expect(await failure({ url: `${base}/drop` })).toMatchObject({ kind: 'unknown_outcome', code: 'GW_UNKNOWN_OUTCOME' });
    expect(await failure({ url: `${base}/drop`, sideEffects: false })).toMatchObject({ code: 'GW_PROVIDER_TRANSIENT' });
  });

  it('abandons a request at its signal: an unknown outcome when it has side effects, a timeout when not', async () => {
    expect(await failure({ url: `${base}/hang`, signal: AbortSignal.timeout(100) })).toMatchObject({ code: 'GW_UNKNOWN_OUTCOME' });
    expect(await failure({ url: `${base}/hang`, signal: AbortSignal.timeout(100), sideEffects: false })).toMatchObject({
      code: 'GW_PROVIDER_TIMEOUT',
    });
  });
});
