/**
 * A real redis-server for tests: started on a free loopback port in a temporary directory
 * (`--save ''` no RDB snapshots, `--appendonly yes` so a restart keeps the data), stopped and
 * removed by `close()`.
 *
 * Availability: suites use `describe.skipIf(redisSkipReason())`; under CI a missing binary makes
 * `startRedis()` throw in beforeAll, so the suite fails instead of skipping.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { freePort } from './free-port.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

const REDIS_BIN = '/usr/bin/redis-server';

export interface RedisServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  /** Kills the server and starts it again on the same port and data. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** Why the Redis suites skip, or undefined when they run (under CI they always run and fail without Redis). */
export function redisSkipReason(): string | undefined {
  if (existsSync(REDIS_BIN) || process.env.CI) return undefined;
  const reason = `${REDIS_BIN} is missing (apt-get install -y redis-server); CI would fail here`;
  console.log(`skip: Redis tests: ${reason}`);
  return reason;
}

/** Redis accepts connections while it still loads the append-only file: tests start once it has loaded. */
async function persistenceReady(port: number): Promise<boolean> {
  const client = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  try {
    await client.connect();
    const info = await client.info('persistence');
    return /loading:0/.test(info) && /aof_enabled:1/.test(info);
  } catch {
    return false; // LOADING or not up yet: ask again
  } finally {
    client.disconnect();
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port }, () => {
      sock.end();
      resolve(true);
    });
    sock.on('error', () => resolve(false));
  });
}

export async function startRedis(): Promise<RedisServer> {
  if (!existsSync(REDIS_BIN)) throw new Error(`${REDIS_BIN} is missing: install the redis-server package`);
  const dir = await mkdtemp(join(tmpdir(), 'aicmo-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let output = '';
  const launch = async (): Promise<void> => {
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--daemonize',
      'no',
      '--protected-mode',
      'yes',
      '--loglevel',
      'warning',
    ];
    child = spawn(REDIS_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
      if (child.exitCode !== null) throw new Error(`redis-server exited early (${child.exitCode}): ${output}`);
      if ((await canConnect(port)) && (await persistenceReady(port))) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`redis-server was not ready on ${port} within 10 s: ${output}`);
  };
  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill(signal);
    await exited;
  };
  await launch();
  return {
    host: '127.0.0.1',
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    async restart() {
      await kill('SIGKILL');
      await launch();
    },
    async close() {
      await kill('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
