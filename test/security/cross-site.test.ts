/**
 * Issue 18, point 2: without keys (the loopback default) a web page on another site cannot change
 * anything (cross-site POSTs refused), DNS rebinding cannot read the API (Host checked), and a
 * non-JSON body is 415. With keys, the key is the proof.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Gateway } from '../../src/gateway.js';
import { api, makeApp, webhook } from '../server/helpers.js';

let app: FastifyInstance | undefined;
let gateway: Gateway;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const noKeys = { apiKeys: [], adminKeys: [] };
const isolate = (headers: Record<string, string>) =>
  app!.inject({ method: 'POST', url: '/v1/providers/hook_primary/isolate', headers: { host: '127.0.0.1:8080', ...headers } });
const breaker = () => gateway.findProvider('hook_primary')!.status().toJSON().breakerState;

describe('without keys: cross-site requests and DNS rebinding', () => {
  it('a cross-site POST (Origin of another site, or Sec-Fetch-Site cross-site) changes nothing: 403', async () => {
    ({ app, gateway } = await makeApp({ server: noKeys }));
    for (const headers of <Record<string, string>[]>[
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site', origin: 'http://sub.127.0.0.1:8080' },
      { origin: 'null' },
    ]) {
      const res = await isolate(headers);
      expect(res.statusCode, JSON.stringify(headers)).toBe(403);
      expect(res.json().error.code).toBe('HTTP_FORBIDDEN');
    }
    expect(breaker()).toBe('closed');
  });

  it('the dashboard and local tools still work: same-origin or no browser headers', async () => {
    ({ app, gateway } = await makeApp({ server: noKeys }));
    expect((await isolate({ origin: 'http://127.0.0.1:8080', 'sec-fetch-site': 'same-origin' })).statusCode).toBe(200);
    expect(breaker()).toBe('isolated');
    expect(
      (await app.inject({ method: 'POST', url: '/v1/providers/hook_primary/reset', headers: { host: 'localhost:8080' } })).statusCode,
    ).toBe(200);
    expect(breaker()).toBe('closed');
  });

  it('a Host that is not this server is refused (DNS rebinding), unless listed in server.allowedHosts', async () => {
    ({ app, gateway } = await makeApp({ server: noKeys }));
    const status = (host: string) => app!.inject({ method: 'GET', url: '/v1/status', headers: { host } });
    expect((await status('rebind.evil.example:8080')).statusCode).toBe(403);
    for (const host of ['127.0.0.1:8080', 'localhost:8080', '[::1]:8080', 'localhost'])
      expect((await status(host)).statusCode, host).toBe(200);
    await app.close();
    ({ app, gateway } = await makeApp({ server: { ...noKeys, allowedHosts: ['gw.internal'] } }));
    expect((await app.inject({ method: 'GET', url: '/v1/status', headers: { host: 'gw.internal:8080' } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/v1/status', headers: { host: 'other.internal' } })).statusCode).toBe(403);
  });
});

describe('bodies and keys', () => {
  it('a text/plain or form body is 415 before anything runs, with or without keys', async () => {
    ({ app, gateway } = await makeApp());
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/capabilities/webhook_dispatch',
        headers: { ...api, 'content-type': type },
        payload: JSON.stringify(webhook()),
      });
      expect(res.statusCode, type).toBe(415);
      expect(res.json().error.code).toBe('HTTP_UNSUPPORTED_MEDIA_TYPE');
    }
    expect(gateway.getSandbox('hook_primary')!.calls).toBe(0);
  });

  it('with keys, a valid key is the proof: an Origin header does not matter', async () => {
    ({ app, gateway } = await makeApp());
    const res = await app.inject({
      method: 'POST',
      url: '/v1/capabilities/webhook_dispatch',
      headers: { ...api, origin: 'https://app.example', host: 'gateway.example.com' },
      payload: webhook(),
    });
    expect(res.statusCode).toBe(200);
  });
});
