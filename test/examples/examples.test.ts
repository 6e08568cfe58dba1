/**
 * Every file in examples/ runs as a user would run it (`tsx examples/<file>.ts`, in an empty
 * working directory so the default SQLite store lands there) and prints what it promises, so no
 * example rots. The Redis example gets a real redis-server.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisSkipReason, startRedis, type RedisServer } from '../harness/redis.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const TSX = import.meta.resolve('tsx');

function run(file: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'aicmo-example-'));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', TSX, join(EXAMPLES, file)],
      { cwd, env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        rmSync(cwd, { recursive: true, force: true });
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

/** What each example must print. */
const EXPECTED: Record<string, RegExp[]> = {
  'dry-run-capabilities.ts': [
    /^email_sending +served by smtp_\w+/m,
    /^webhook_dispatch +served by \w+/m,
    /^refused: Invalid email_sending request: to: /m,
  ],
  'failover.ts': [
    /^served by fallback: \{ delivered: true \}/m,
    /^ {2}primary: transient \(GW_PROVIDER_TRANSIENT\)/m,
    /^ {2}primary health DEGRADED/m,
  ],
  'outbox-delivery.ts': [
    /^accepted: delivery \S+ is pending/m,
    /^delivery \S+ is delivered by hook_primary after 1 attempt\(s\)/m,
    /^replay: completed, replayed=true, sandbox calls 1$/m,
  ],
  'self-check.ts': [/^email_sending +smtp_gmail +GW_PROVIDER_AUTH/m, /^\[critical\] smtp_gmail: /m],
  'custom-provider.ts': [
    /^mail 1: served by inhouse_mailer \(inhouse_mailer:success\)$/m,
    /^mail 3: served by inhouse_mailer \(inhouse_mailer:transient, inhouse_mailer:success\)$/m,
    /^mail 4: served by backup_mailer \(inhouse_mailer:skipped, backup_mailer:success\)$/m,
  ],
  'redis-two-instances.ts': [/^instance a: hook, instance b: hook; provider calls in total: 1$/m],
};

describe('examples/', () => {
  let redis: RedisServer | undefined;
  beforeAll(async () => {
    if (!redisSkipReason()) redis = await startRedis();
  }, 30_000);
  afterAll(async () => {
    await redis?.close();
  });

  it('has an expectation for every example file', () => {
    expect(
      readdirSync(EXAMPLES)
        .filter((f) => f.endsWith('.ts'))
        .sort(),
    ).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [file, patterns] of Object.entries(EXPECTED)) {
    it(`${file} runs and prints what it promises`, async () => {
      if (file.startsWith('redis') && !redis) {
        console.log(`skip: ${file}: ${redisSkipReason()}`);
        return;
      }
      const r = await run(file, redis ? { REDIS_URL: redis.url } : {});
      expect(r.code, r.stderr).toBe(0);
      for (const p of patterns) expect(r.stdout, r.stdout).toMatch(p);
    }, 60_000);
  }
});
