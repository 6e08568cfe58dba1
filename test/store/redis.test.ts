/** The Store conformance suite against the Redis store on a real redis-server, plus Redis specifics. */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/store/redis/redis-store.js';
import { redisSkipReason, startRedis, type RedisServer } from '../harness/redis.js';
import { storeConformance } from './store-conformance.js';

describe.skipIf(redisSkipReason())('Redis store', () => {
  let server: RedisServer;
  let n = 0;
  let current = '';
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server?.close();
  });

  storeConformance('redis', {
    open: async ({ clock, retention }) => {
      current = `${server.url}?prefix=t${n++}:`;
      return new RedisStore(current, retention ? { clock, retention } : { clock });
    },
    reopen: async ({ clock }) => new RedisStore(current, { clock }),
  });

  it('keeps instances apart by prefix and never shows the password', async () => {
    const a = new RedisStore(`${server.url}?prefix=iso-a:`);
    const b = new RedisStore(`${server.url}?prefix=iso-b:`);
    await a.appendEvent({ at: 1, type: 'alert', message: 'a only' });
    expect(await b.queryEvents()).toEqual([]);
    expect((await a.queryEvents())[0]!.message).toBe('a only');
    await a.close();
    await b.close();
    const secret = new RedisStore(`redis://user:s3cret-pass@127.0.0.1:${server.port}/2`);
    expect(secret.description).not.toContain('s3cret');
    secret.redis.disconnect();
  });

  it('survives a redis-server restart (append-only file)', async () => {
    const url = `${server.url}?prefix=restart:`;
    // With appendfsync everysec Redis may answer before it writes the AOF (while a background
    // fsync runs), so a SIGKILL can lose the last second; `always` writes and syncs before it answers.
    const admin = new Redis(server.url);
    await admin.config('SET', 'appendfsync', 'always');
    admin.disconnect();
    const s = new RedisStore(url);
    await s.providerState('imap').set('cursor', { uid: 7 });
    await s.close();
    await server.restart();
    const again = new RedisStore(url);
    expect(await again.providerState('imap').get('cursor')).toEqual({ uid: 7 });
    await again.close();
  });
});
