/**
 * Two gateway instances on one Redis: the idempotency ledger and the outbox are shared, so the
 * same request sent to both instances with one idempotency key is delivered once.
 * Run: REDIS_URL=redis://127.0.0.1:6379 npx tsx examples/redis-two-instances.ts
 */
import { Gateway, validateConfig } from '../src/index.js';

const url = process.env.REDIS_URL;
if (!url) {
  console.log('Set REDIS_URL (e.g. redis://127.0.0.1:6379) to run this example.');
  process.exit(0);
}

const { config } = validateConfig({
  mode: 'dry_run',
  store: `${url}?prefix=example-${Date.now()}:`,
  monitoring: { intervalSeconds: 0 },
  capabilities: { webhook_dispatch: { providers: [{ name: 'hook', type: 'webhook', sandbox: { latencyMs: 50 } }] } },
});

const [a, b] = await Promise.all([Gateway.create({ config }), Gateway.create({ config })]);
try {
  const request = { event: 'invoice.sent', payload: { invoice: 7 } };
  const key = 'invoice-7';
  // Both instances get the same request at once: one calls the provider, the other waits for its answer.
  const [ra, rb] = await Promise.all([
    a.invoke('webhook_dispatch', request, { idempotencyKey: key }),
    b.invoke('webhook_dispatch', request, { idempotencyKey: key }),
  ]);
  const calls = a.sandboxRecords().length + b.sandboxRecords().length;
  console.log(`instance a: ${ra.provider}, instance b: ${rb.provider}; provider calls in total: ${calls}`);
} finally {
  await Promise.all([a.close(), b.close()]);
}
