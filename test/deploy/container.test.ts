/**
 * The container image, built from the Dockerfile by podman and run for real: it runs as the
 * unprivileged `node` user, its HEALTHCHECK passes, the SQLite store on the /data volume keeps an
 * idempotency key across a restart, and two containers on one Redis (the compose.yaml topology)
 * send a request retried across them once. Skipped, with the reason printed, where podman cannot
 * run containers; the base image comes from test/harness/container.ts (no registry is reachable).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { freePort } from '../harness/free-port.js';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildImage, containerSkipReason, IMAGE, podman } from '../harness/container.js';
import { startRedis, type RedisServer } from '../harness/redis.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const KEY = 'container-key-0123456789abcdef';
const run = randomBytes(4).toString('hex');

const skip = containerSkipReason();
if (skip) console.log(`skip: container image test: ${skip}`);

async function waitHealthy(port: number, name: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} did not answer /healthz: ${await podman(['logs', name]).catch((e: Error) => e.message)}`);
}

const containers: string[] = [];
const volumes: string[] = [];

/**
 * Starts the image on a free port: published from the container's own 8080 (as compose does, and
 * where its HEALTHCHECK looks), or with host networking and `--port` (to reach a Redis on loopback).
 */
async function start(name: string, env: Record<string, string>, how: { volume?: string; hostNetwork?: boolean } = {}): Promise<number> {
  const port = await freePort();
  const args = ['run', '-d', '--name', name];
  for (const [k, v] of Object.entries(env)) args.push('-e', `${k}=${v}`);
  if (how.volume) args.push('-v', `${how.volume}:/data`);
  if (how.hostNetwork) args.push('--network', 'host', IMAGE, 'serve', '--log-format', 'json', '--port', String(port));
  else args.push('-p', `127.0.0.1:${port}:8080`, IMAGE);
  await podman(args);
  containers.push(name);
  await waitHealthy(port, name);
  return port;
}

const send = (port: number, key: string) =>
  fetch(`http://127.0.0.1:${port}/v1/capabilities/email_sending`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify({ to: 'ada@example.com', subject: 'Hello', text: 'From the container' }),
  });

describe.skipIf(skip !== null)('the container image (podman)', () => {
  let redis: RedisServer | undefined;

  beforeAll(async () => {
    // Built before the tests by .ci/run (.ci/container-image.mjs); here the cached layers make it quick.
    await buildImage();
  }, 900_000);

  afterAll(async () => {
    for (const c of containers) await podman(['rm', '-f', c]).catch(() => undefined);
    for (const v of volumes) await podman(['volume', 'rm', '-f', v]).catch(() => undefined);
    await redis?.close();
  }, 120_000);

  it('runs as node (uid 1000), passes its HEALTHCHECK, and keeps the SQLite store on /data across a restart', async () => {
    const name = `aicmo-single-${run}`;
    const volume = `aicmo-data-${run}`;
    volumes.push(volume);
    const port = await start(name, { GATEWAY_API_KEY: KEY }, { volume });

    expect((await podman(['exec', name, 'id', '-u'])).trim()).toBe('1000');
    const health = JSON.parse(await podman(['inspect', '--format', '{{json .Config.Healthcheck}}', name])) as { Test: string[] };
    expect(health.Test.join(' ')).toContain('/healthz');
    await podman(['healthcheck', 'run', name]); // exit 0: healthy (a failing check rejects)

    // The API needs the key, even through the container's port.
    expect((await fetch(`http://127.0.0.1:${port}/v1/status`)).status).toBe(401);
    const first = await send(port, `vol-${run}`);
    expect(first.status).toBe(200);
    const sent = (await first.json()) as { provider: string; replayed: boolean };
    expect(sent.replayed).toBe(false);
    expect(await podman(['exec', name, 'ls', '/data'])).toContain('gateway.db');

    await podman(['restart', name]);
    await waitHealthy(port, name);
    const again = await send(port, `vol-${run}`);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { replayed: boolean; provider: string }).replayed).toBe(true);
  }, 180_000);

  it('two containers on one Redis (the compose.yaml topology) send a request retried across them once', async () => {
    const compose = parse(readFileSync(`${ROOT}compose.yaml`, 'utf8'), { merge: true }) as {
      services: Record<string, { environment?: Record<string, string> }>;
    };
    expect(Object.keys(compose.services).sort()).toEqual(['gateway-a', 'gateway-b', 'redis']);
    expect(compose.services['gateway-b']!.environment).toEqual(compose.services['gateway-a']!.environment);
    expect(compose.services['gateway-a']!.environment!.GATEWAY_STORE).toBe('redis://redis:6379');

    redis = await startRedis();
    const env = { GATEWAY_API_KEY: KEY, GATEWAY_STORE: redis.url };
    const a = await start(`aicmo-a-${run}`, env, { hostNetwork: true });
    const b = await start(`aicmo-b-${run}`, env, { hostNetwork: true });
    const key = `pair-${run}`;
    const first = await send(a, key);
    expect(first.status).toBe(200);
    const second = await send(b, key);
    expect(second.status).toBe(200);
    const [one, two] = [(await first.json()) as { replayed: boolean }, (await second.json()) as { replayed: boolean }];
    expect([one.replayed, two.replayed]).toEqual([false, true]);
  }, 180_000);
});
