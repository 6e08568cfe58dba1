/**
 * Issue 18, point 6: failed authentications are rate limited per client address; past the
 * limit the address gets 429 with Retry-After and no key is compared at all.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { API_KEY, makeApp } from '../server/helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const status = (key: string, remoteAddress = '203.0.113.7') =>
  app!.inject({ method: 'GET', url: '/v1/status', headers: { authorization: `Bearer ${key}`, host: '127.0.0.1' }, remoteAddress });

describe('failed authentications', () => {
  it('after server.authFailuresPerMinute wrong keys an address gets 429 with Retry-After, even with a right key; others are unaffected', async () => {
    ({ app } = await makeApp({ server: { authFailuresPerMinute: 5 } }));
    const codes: number[] = [];
    for (let i = 0; i < 8; i++) codes.push((await status(`wrong-key-${i}-0123456789abcdef`)).statusCode);
    expect(codes).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    const blocked = await status(API_KEY);
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.json().error.code).toBe('HTTP_RATE_LIMITED');
    expect((await status(API_KEY, '198.51.100.9')).statusCode).toBe(200);
  });

  it('a request without any key is not a guess: it gets 401 and does not count', async () => {
    ({ app } = await makeApp({ server: { authFailuresPerMinute: 2 } }));
    for (let i = 0; i < 5; i++)
      expect(
        (await app.inject({ method: 'GET', url: '/v1/status', headers: { host: '127.0.0.1' }, remoteAddress: '203.0.113.8' })).statusCode,
      ).toBe(401);
    expect((await status(API_KEY, '203.0.113.8')).statusCode).toBe(200);
  });
});
