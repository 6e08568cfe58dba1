/**
 * `aicmo-gateway provider reset|isolate|force-closed NAME` against a real server on loopback:
 * the action reaches the process that routes the traffic, through the admin API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Gateway } from '../../src/gateway.js';
import { closedPort } from '../providers/webhook/fixtures.js';
import { ADMIN_KEY, API_KEY, makeApp } from '../server/helpers.js';
import { cli, tempDir } from './helpers.js';

let app: FastifyInstance;
let gateway: Gateway;
let url: string;
const tmp = tempDir();

beforeAll(async () => {
  ({ app, gateway } = await makeApp());
  url = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app.close();
  tmp.cleanup();
});

const run = (args: string[], env: NodeJS.ProcessEnv = { GATEWAY_ADMIN_KEY: ADMIN_KEY }) =>
  cli(['provider', ...args, '--url', url], { cwd: tmp.dir, env });

describe('aicmo-gateway provider', () => {
  it('isolate, force-closed and reset act on the running server with the admin key from the environment', async () => {
    let r = await run(['isolate', 'hook_backup']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe('hook_backup: isolate done by api:ops; breaker isolated, health UNHEALTHY\n');
    expect(gateway.findProvider('hook_backup')!.status().toJSON().breakerState).toBe('isolated');
    r = await run(['force-closed', 'hook_backup', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      action: 'force_closed',
      provider: { name: 'hook_backup', breakerState: 'forced_closed' },
    });
    r = await run(['reset', 'hook_backup']);
    expect(r.code).toBe(0);
    expect(gateway.findProvider('hook_backup')!.status().toJSON().breakerState).toBe('closed');
  });

  it('refusals and faults exit 3 with the reason: no key, a non-admin key, an unknown provider, no server', async () => {
    let r = await run(['isolate', 'hook_backup'], {});
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('set GATEWAY_ADMIN_KEY to an admin key');
    r = await run(['isolate', 'hook_backup'], { GATEWAY_ADMIN_KEY: API_KEY });
    expect(r.code).toBe(3);
    expect(r.stderr).not.toContain(API_KEY);
    r = await run(['reset', 'ghost']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('reset ghost refused');
    expect(gateway.findProvider('hook_backup')!.status().toJSON().breakerState).toBe('closed');
    const dead = await closedPort();
    r = await cli(['provider', 'reset', 'hook_backup', '--url', `http://127.0.0.1:${dead}`], {
      cwd: tmp.dir,
      env: { GATEWAY_ADMIN_KEY: ADMIN_KEY },
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('cannot reach the gateway');
    expect((await cli(['provider', 'explode', 'x'], { cwd: tmp.dir })).code).toBe(64);
  });
});
