import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { api, makeApp, testConfig, webhook } from './helpers.js';

let app: FastifyInstance;
afterEach(async () => {
  await app?.close();
});

describe('body limit', () => {
  it('413 above server.bodyLimitBytes, nothing invoked; below it passes', async () => {
    let gateway;
    ({ app, gateway } = await makeApp({ server: { bodyLimitBytes: 1024 } }));
    const big = await app.inject({
      method: 'POST',
      url: '/v1/capabilities/webhook_dispatch',
      headers: api,
      payload: { event: 'a', payload: { blob: 'x'.repeat(2000) } },
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('HTTP_PAYLOAD_TOO_LARGE');
    expect(gateway.getSandbox('hook_primary')!.calls).toBe(0);
    const small = await app.inject({
      method: 'POST',
      url: '/v1/capabilities/webhook_dispatch',
      headers: api,
      payload: { event: 'a', payload: { blob: 'x'.repeat(500) } },
    });
    expect(small.statusCode).toBe(200);
  });
});

describe('rate limit', () => {
  it('429 with Retry-After once a key spends its requests per minute; other keys are not affected', async () => {
    ({ app } = await makeApp({ server: { rateLimitPerMinute: 3 } }));
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await app.inject({ method: 'GET', url: '/v1/status', headers: api })).statusCode);
    expect(codes).toEqual([200, 200, 200, 429]);
    const limited = await app.inject({ method: 'POST', url: '/v1/capabilities/webhook_dispatch', headers: api, payload: webhook() });
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('HTTP_RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    const other = await app.inject({ method: 'GET', url: '/v1/status', headers: { authorization: 'Bearer plain-key-0123456789abcdef' } });
    expect(other.statusCode).toBe(200);
    // Liveness and readiness are never rate limited.
    for (let i = 0; i < 5; i++) expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('HEAD routes (added by Fastify for every GET) get the same gate once: auth, and one count per request', async () => {
    ({ app } = await makeApp({ server: { rateLimitPerMinute: 2 } }));
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) codes.push((await app.inject({ method: 'HEAD', url: '/v1/status', headers: api })).statusCode);
    expect(codes).toEqual([200, 200, 429]);
    expect((await app.inject({ method: 'HEAD', url: '/v1/status' })).statusCode).toBe(401);
  });

  it('the default does not reject an ordinary burst from one trusted caller: 2,000 quick requests all pass', async () => {
    const config = testConfig({}, (raw) => void delete (raw.server as { rateLimitPerMinute?: number }).rateLimitPerMinute);
    expect(config.server.rateLimitPerMinute).toBe(6_000);
    ({ app } = await makeApp({ config }));
    const codes = await Promise.all(
      Array.from({ length: 2_000 }, (_, i) =>
        app.inject({ method: 'POST', url: '/v1/capabilities/webhook_dispatch', headers: api, payload: webhook(`burst.${i}`) }),
      ),
    );
    expect(codes.filter((r) => r.statusCode !== 200).map((r) => r.statusCode)).toEqual([]);
  });

  it('0 disables the rate limit', async () => {
    ({ app } = await makeApp({ server: { rateLimitPerMinute: 0 } }));
    for (let i = 0; i < 20; i++) expect((await app.inject({ method: 'GET', url: '/v1/status', headers: api })).statusCode).toBe(200);
  });
});

describe('CORS', () => {
  it('is off by default: no Access-Control headers, preflight is not answered', async () => {
    ({ app } = await makeApp());
    const res = await app.inject({ method: 'GET', url: '/v1/status', headers: { ...api, origin: 'https://app.example' } });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const pre = await app.inject({
      method: 'OPTIONS',
      url: '/v1/status',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' },
    });
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    expect(pre.statusCode).toBe(404);
  });

  it('allows only the configured origins', async () => {
    ({ app } = await makeApp({ server: { corsOrigins: ['https://app.example'] } }));
    const pre = await app.inject({
      method: 'OPTIONS',
      url: '/v1/capabilities/webhook_dispatch',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
    });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(pre.headers['access-control-allow-headers']).toContain('authorization');
    const other = await app.inject({ method: 'GET', url: '/v1/status', headers: { ...api, origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});
