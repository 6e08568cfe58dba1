/**
 * The gateway process of the job crash test: the HTTP server on the SQLite store (or the Redis
 * one at CRASH_STORE) in live mode,
 * its outbox worker running, and one webhook provider that posts to the test's receiver
 * (CRASH_RECEIVER, loopback allowed). Port printed as `PORT <n>`; killed with SIGKILL by the test.
 */
import { validateConfig } from '../../src/config/load.js';
import type { GatewayConfigInput } from '../../src/config/schema.js';
import { Gateway } from '../../src/gateway.js';
import { createServer } from '../../src/server/index.js';

const raw = {
  mode: 'live',
  store: process.env.CRASH_STORE ?? `sqlite:${process.env.CRASH_DIR!}/gw.db`,
  logLevel: 'silent',
  monitoring: { intervalSeconds: 0 },
  delivery: { outbox: { baseDelayMs: 30, maxDelayMs: 200, leaseMs: 1_000, pollMs: 20, concurrency: 8 } },
  capabilities: {
    webhook_dispatch: {
      deadlineMs: 800,
      providers: [
        {
          name: 'receiver',
          type: 'webhook',
          options: { url: process.env.CRASH_RECEIVER!, secrets: process.env.CRASH_SECRET!, allowHttp: true, allowHosts: ['127.0.0.1'] },
          limits: { ratePerSecond: 150, burst: 1 },
        },
      ],
    },
  },
} as GatewayConfigInput;

const gateway = await Gateway.create({ config: validateConfig(raw, {}).config, snapshotIntervalMs: 0 });
const app = createServer(gateway, { periodicChecks: false });
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.stdout.write(`PORT ${typeof address === 'object' && address ? address.port : 0}\n`);
