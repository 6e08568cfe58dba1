/**
 * The gateway process of the crash test: a dry-run gateway on SQLite with flaky sandbox
 * providers that append every delivery (`<key> <provider>`) to a file (GatewayOptions.onSandboxDelivery),
 * the gateway's own delivery stack with the outbox worker running, and the capability + delivery routes on 127.0.0.1 (port printed
 * as `PORT <n>`). Killed with SIGKILL by the test at random moments.
 */
import { appendFileSync } from 'node:fs';
import { validateConfig } from '../../src/config/load.js';
import type { GatewayConfigInput } from '../../src/config/schema.js';
import { Gateway } from '../../src/gateway.js';
import { deliveryApp } from '../delivery/helpers.js';

const dir = process.env.CRASH_DIR!;
const log = process.env.CRASH_DELIVERIES!;

const raw = {
  mode: 'dry_run',
  store: `sqlite:${dir}/gw.db`,
  logLevel: 'silent',
  monitoring: { intervalSeconds: 0 },
  delivery: { inFlight: 'wait', outbox: { baseDelayMs: 30, maxDelayMs: 200, leaseMs: 1_000, pollMs: 20 } },
  capabilities: {
    webhook_dispatch: {
      deadlineMs: 800,
      retry: { maxAttemptsPerProvider: 1 },
      breaker: { openMs: 200, maxOpenMs: 400 },
      providers: [
        {
          name: 'hook_a',
          type: 'webhook',
          limits: { attemptTimeoutMs: 150 },
          sandbox: {
            latencyMs: { min: 0, max: 4 },
            errorRate: { transient: 0.3 },
            hangRate: 0.01,
            outages: [{ afterSec: 1, durationSec: 0.5, everySec: 2 }],
          },
        },
        {
          name: 'hook_b',
          type: 'webhook',
          limits: { attemptTimeoutMs: 150 },
          sandbox: { latencyMs: { min: 0, max: 4 }, errorRate: { transient: 0.35 } },
        },
      ],
    },
  },
} as GatewayConfigInput;

const config = validateConfig(raw, {}).config;
// Every sandbox delivery is written to the log before the sandbox answers.
const gateway = await Gateway.create({
  config,
  snapshotIntervalMs: 0,
  onSandboxDelivery: (r) => appendFileSync(log, `${r.idempotencyKey} ${r.provider}\n`),
});
gateway.start({ periodicChecks: false });
const app = deliveryApp(gateway.delivery);
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.stdout.write(`PORT ${typeof address === 'object' && address ? address.port : 0}\n`);
process.on('SIGTERM', () => {
  void app
    .close()
    .then(() => gateway.close())
    .then(() => process.exit(0));
});
