import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Gateway } from '../../src/gateway.js';
import { createServer } from '../../src/server/index.js';
import { createServiceLogger } from '../../src/server/logger.js';
import { ADMIN_KEY, API_KEY, testConfig, webhook } from './helpers.js';

let app: FastifyInstance;
afterEach(async () => {
  await app?.close();
});

function capture(): { stream: Writable; lines: () => Record<string, unknown>[]; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  return {
    stream,
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('logging', () => {
  it('one line per request with its request id and caller name, never the key', async () => {
    const out = capture();
    const gateway = await Gateway.create({ config: testConfig(), snapshotIntervalMs: 0 });
    app = createServer(gateway, { logger: createServiceLogger({ level: 'debug', destination: out.stream }), periodicChecks: false });
    await app.inject({
      method: 'POST',
      url: '/v1/capabilities/webhook_dispatch',
      headers: { authorization: `Bearer ${API_KEY}`, 'x-request-id': 'req-1' },
      payload: webhook(),
    });
    await app.inject({
      method: 'POST',
      url: '/v1/providers/hook_primary/isolate',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'x-request-id': 'req-2' },
    });
    await app.inject({
      method: 'GET',
      url: '/v1/status',
      headers: { authorization: 'Bearer not-a-key-0123456789', 'x-request-id': 'req-3' },
    });
    const lines = out.lines();
    const req1 = lines.filter((l) => l.reqId === 'req-1');
    expect(req1).toEqual([expect.objectContaining({ msg: 'request', status: 200, route: '/v1/capabilities/:capability', caller: 'app' })]);
    expect(lines.some((l) => l.reqId === 'req-2' && l.msg === 'operator action' && l.actor === 'api:ops')).toBe(true);
    expect(lines.some((l) => l.reqId === 'req-3' && l.status === 401)).toBe(true);
    const text = out.text();
    for (const secret of [API_KEY, ADMIN_KEY, 'not-a-key-0123456789']) expect(text).not.toContain(secret);
  });

  it('redacts every secret path: headers, keys, provider credentials', () => {
    const out = capture();
    const log = createServiceLogger({ level: 'info', destination: out.stream });
    log.info({ req: { headers: { authorization: 'Bearer s3cret-header-value' } } }, 'a');
    log.info({ server: { apiKeys: ['s3cret-api-key'], adminKeys: [{ name: 'ops', key: 's3cret-admin' }] } }, 'b');
    log.info({ provider: { options: { apiKey: 's3cret-apollo', auth: { user: 'me', pass: 's3cret-pass' } } } }, 'c');
    log.info({ capabilities: { crm: { options: { apiToken: 's3cret-token', secrets: ['s3cret-whsec'] } } } }, 'd');
    log.info({ accessToken: 's3cret-top', password: 's3cret-pw' }, 'e');
    const text = out.text();
    expect(text).not.toMatch(/s3cret/);
    expect(text).toContain('[redacted]');
    expect(text).toContain('"user":"me"');
  });
});
