import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { KeyRing } from '../../src/server/auth.js';
import { assertSafeBind, isLoopbackHost } from '../../src/server/bind-guard.js';
import { ADMIN_KEY, admin, api, makeApp, UNNAMED_KEY, webhook } from './helpers.js';

let app: FastifyInstance;
afterEach(async () => {
  await app?.close();
});

const PROTECTED: [string, string][] = [
  ['GET', '/v1/status'],
  ['GET', '/v1/capabilities'],
  ['GET', '/v1/capabilities/webhook_dispatch'],
  ['POST', '/v1/capabilities/webhook_dispatch'],
  ['GET', '/v1/recommendations'],
  ['GET', '/v1/checks'],
  ['POST', '/v1/self-check'],
  ['GET', '/metrics'],
  ['POST', '/v1/providers/hook_primary/isolate'],
];

describe('authentication', () => {
  it('401 without a key or with a wrong key on every protected route, with WWW-Authenticate', async () => {
    ({ app } = await makeApp({ server: { authFailuresPerMinute: 100_000 } })); // many wrong keys from one address on purpose
    for (const [method, url] of PROTECTED) {
      for (const headers of [
        {},
        { authorization: 'Bearer wrong-key-0123456789abcdef' },
        { authorization: 'Basic Zm9vOmJhcg==' },
        { authorization: `Bearer ${API_KEY_PREFIX}` },
      ]) {
        const res = await app.inject({ method: method as 'GET', url, headers, ...(method === 'POST' ? { payload: webhook() } : {}) });
        expect(res.statusCode, `${method} ${url}`).toBe(401);
        expect(res.json().error.code).toBe('HTTP_UNAUTHORIZED');
        expect(res.headers['www-authenticate']).toContain('Bearer');
      }
    }
  });

  it('an API key reaches the API but not admin routes (403)', async () => {
    ({ app } = await makeApp());
    const ok = await app.inject({ method: 'GET', url: '/v1/status', headers: api });
    expect(ok.statusCode).toBe(200);
    for (const action of ['isolate', 'reset', 'force-closed']) {
      const res = await app.inject({ method: 'POST', url: `/v1/providers/hook_primary/${action}`, headers: api });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('HTTP_FORBIDDEN');
    }
  });

  it('an admin key reaches everything; whoami tells name and role, never the key', async () => {
    ({ app } = await makeApp());
    expect((await app.inject({ method: 'GET', url: '/v1/status', headers: admin })).statusCode).toBe(200);
    const me = await app.inject({ method: 'GET', url: '/v1/whoami', headers: admin });
    expect(me.json()).toEqual({ authenticated: true, name: 'ops', admin: true, authRequired: true });
    expect(me.body).not.toContain(ADMIN_KEY);
    const unnamed = await app.inject({ method: 'GET', url: '/v1/whoami', headers: { authorization: `Bearer ${UNNAMED_KEY}` } });
    expect(unnamed.json().name).toMatch(/^key-[0-9a-f]{8}$/);
    expect(unnamed.json().admin).toBe(false);
  });

  it('public routes need no key: /healthz, /readyz, the dashboard', async () => {
    ({ app } = await makeApp());
    for (const url of ['/healthz', '/readyz', '/', '/dashboard/app.js', '/v1/whoami'])
      expect((await app.inject({ method: 'GET', url })).statusCode, url).toBe(200);
    const anonymous = await app.inject({
      method: 'GET',
      url: '/v1/whoami',
      headers: { authorization: 'Bearer wrong-key-0123456789abcdef' },
    });
    expect(anonymous.json()).toEqual({ authenticated: false, name: null, admin: false, authRequired: true });
  });

  it('with API keys but no admin key, admin routes are refused for everyone', async () => {
    ({ app } = await makeApp({ server: { adminKeys: [] } }));
    const res = await app.inject({ method: 'POST', url: '/v1/providers/hook_primary/isolate', headers: api });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toContain('no server.adminKeys');
  });

  it('without any key (loopback only) every caller is "local" and admin actions are recorded as such', async () => {
    let gateway;
    ({ app, gateway } = await makeApp({ server: { apiKeys: [], adminKeys: [] } }));
    expect((await app.inject({ method: 'GET', url: '/v1/status' })).statusCode).toBe(200);
    const res = await app.inject({ method: 'POST', url: '/v1/providers/hook_primary/isolate' });
    expect(res.json().actor).toBe('api:local');
    const [event] = await gateway.store.queryEvents({ type: 'admin_action' });
    expect(event!.actor).toBe('api:local');
  });
});

const API_KEY_PREFIX = 'app-key-0123456789abcde'; // one character short of the real key

describe('KeyRing', () => {
  it('matches only the exact key, case and length included', () => {
    const ring = new KeyRing([{ name: 'a', key: 'k'.repeat(20) }], ['A'.repeat(20)]);
    expect(ring.authenticate(`Bearer ${'k'.repeat(20)}`)).toEqual({ name: 'a', admin: false });
    expect(ring.authenticate(`bearer ${'A'.repeat(20)}`)?.admin).toBe(true);
    expect(ring.authenticate(`Bearer ${'K'.repeat(20)}`)).toBeNull();
    expect(ring.authenticate(`Bearer ${'k'.repeat(21)}`)).toBeNull();
    expect(ring.authenticate(`Bearer ${'k'.repeat(20)} extra`)).toBeNull();
    expect(ring.authenticate(undefined)).toBeNull();
    expect(ring.enabled).toBe(true);
    expect(new KeyRing([], []).authenticate(undefined)).toEqual({ name: 'local', admin: true });
  });

  it('refuses a prefix of a key, a key with trailing zero bytes, and over-long keys; names unnamed keys by a hash', () => {
    const key = 'k'.repeat(40);
    const ring = new KeyRing([key], []);
    expect(ring.authenticate(`Bearer ${key.slice(0, 39)}`)).toBeNull();
    expect(ring.authenticate(`Bearer ${key}\u0000`)).toBeNull(); // padding must not make it equal
    expect(ring.authenticate(`Bearer ${'x'.repeat(5_000)}`)).toBeNull();
    const id = ring.authenticate(`Bearer ${key}`);
    expect(id?.name).toMatch(/^key-[0-9a-f]{8}$/);
    expect(JSON.stringify(id)).not.toContain(key);
  });
});

describe('bind guard', () => {
  it('knows loopback hosts', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.2', 'example.com', '']) expect(isLoopbackHost(h), h).toBe(false);
  });

  it('refuses a non-loopback bind without keys with a clear GW_CONFIG_INVALID', () => {
    expect(() => assertSafeBind('127.0.0.1', false)).not.toThrow();
    expect(() => assertSafeBind('0.0.0.0', true)).not.toThrow();
    try {
      assertSafeBind('0.0.0.0', false);
      expect.unreachable();
    } catch (error) {
      expect((error as { code: string }).code).toBe('GW_CONFIG_INVALID');
      expect((error as Error).message).toMatch(/server\.apiKeys/);
    }
  });
});
