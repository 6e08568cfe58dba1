/**
 * Issue 18, point 8: errors Fastify raises itself are answered in our error format with a
 * request id, and the forbidden-key refusal says what it is.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { api, makeApp } from '../server/helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('framework errors', () => {
  it('bad %-encoding (400) and an over-long path segment (414) come in our format with X-Request-Id', async () => {
    ({ app } = await makeApp());
    for (const [url, status] of [
      ['/v1/capabilities/%E0%A4%A', 400],
      [`/v1/capabilities/${'a'.repeat(500)}`, 414],
    ] as const) {
      const res = await app.inject({ method: 'GET', url, headers: api });
      expect(res.statusCode, url.slice(0, 40)).toBe(status);
      expect(res.headers['x-request-id']).toEqual(expect.any(String));
      expect(res.json()).toMatchObject({ error: { code: 'GW_INVALID_REQUEST', kind: 'invalid_request', problems: [{ path: '(url)' }] } });
    }
  });

  it('a body with a __proto__ key is refused as a forbidden key, not as invalid JSON', async () => {
    ({ app } = await makeApp());
    const res = await app.inject({
      method: 'POST',
      url: '/v1/capabilities/webhook_dispatch',
      headers: { ...api, 'content-type': 'application/json' },
      payload: '{"__proto__": {"admin": true}, "event": "lead.created", "payload": {}}',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'GW_INVALID_REQUEST', message: expect.stringContaining('forbidden key') });
  });
});
