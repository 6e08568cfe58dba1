/**
 * Nothing lost: when every provider of a side-effecting capability fails, the request is stored
 * durably and answered `accepted` with a delivery id; the outbox worker (started by
 * `gateway.start()`, as the server does) delivers it once a provider recovers, under the same
 * idempotency key. Run: npx tsx examples/outbox-delivery.ts
 */
import { Gateway, validateConfig } from '../src/index.js';

const { config } = validateConfig({
  mode: 'dry_run',
  store: 'sqlite:./data/example-outbox.db',
  monitoring: { intervalSeconds: 0 },
  delivery: { outbox: { baseDelayMs: 100, pollMs: 50 } },
  capabilities: {
    webhook_dispatch: {
      providers: [
        { name: 'hook_primary', type: 'webhook', sandbox: { latencyMs: 5 } },
        { name: 'hook_backup', type: 'webhook', sandbox: { latencyMs: 5 } },
      ],
    },
  },
});

const gateway = await Gateway.create({ config });
try {
  for (const name of ['hook_primary', 'hook_backup']) gateway.getSandbox(name)!.setFailure('transient');
  const key = `example-${Date.now()}`;
  const submission = await gateway.submit('webhook_dispatch', { event: 'order.paid', payload: { order: 42 } }, { idempotencyKey: key });
  if (submission.status !== 'accepted') throw new Error('expected the outbox to take the request');
  console.log(`accepted: delivery ${submission.delivery.id} is ${submission.delivery.state}`);

  // The providers recover; the worker delivers the stored request.
  for (const name of ['hook_primary', 'hook_backup']) gateway.getSandbox(name)!.setFailure(null);
  gateway.start({ periodicChecks: false });
  const outbox = gateway.delivery.outbox!;
  let delivery = await outbox.get(submission.delivery.id);
  for (let i = 0; i < 100 && delivery?.state !== 'delivered'; i++) {
    await new Promise((r) => setTimeout(r, 50));
    delivery = await outbox.get(submission.delivery.id);
  }
  console.log(`delivery ${delivery!.id} is ${delivery!.state} by ${delivery!.provider} after ${delivery!.attempts} attempt(s)`);
  // The same key again answers from the ledger: no second send.
  const replay = await gateway.submit('webhook_dispatch', { event: 'order.paid', payload: { order: 42 } }, { idempotencyKey: key });
  console.log(`replay: ${replay.status}, replayed=${replay.replayed}, sandbox calls ${gateway.sandboxRecords().length}`);
} finally {
  await gateway.close();
}
