/**
 * A webhook that fails, is queued in the outbox and delivered later keeps one body under its
 * webhook-id: the event time in the body is when the gateway accepted the request, on the
 * synchronous attempts and on the outbox's retries alike; only webhook-timestamp moves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig, type GatewayConfigInput } from '../../src/config/index.js';
import { Gateway } from '../../src/gateway/gateway.js';
import * as receiverSim from '../simulators/webhook-receiver.js';
import { newWebhookSecret } from './helpers/live-gateway.js';

const secret = newWebhookSecret();

describe('e2e: webhook retries through the outbox', () => {
  let receiver: receiverSim.WebhookReceiver;
  let gateway: Gateway;
  beforeAll(async () => {
    receiver = await receiverSim.start({ secrets: [secret] });
    const raw: GatewayConfigInput = {
      mode: 'live',
      store: 'memory:',
      logLevel: 'silent',
      monitoring: { intervalSeconds: 0 },
      delivery: { outbox: { baseDelayMs: 300, maxDelayMs: 600, pollMs: 20 } },
      capabilities: {
        webhook_dispatch: {
          retry: { maxAttemptsPerProvider: 2, backoffMs: 10 },
          providers: [
            {
              name: 'hook',
              type: 'webhook',
              options: { url: `${receiver.url}/hooks/a`, secrets: [secret], allowHttp: true, allowHosts: ['127.0.0.1'] },
            },
          ],
        },
      },
    };
    gateway = await Gateway.create({ config: validateConfig(raw, {}).config, snapshotIntervalMs: 0 });
  });
  afterAll(async () => {
    await gateway.close();
    await receiver.close();
  });

  it('two synchronous attempts and two outbox retries carry byte-identical bodies under one webhook-id', async () => {
    receiver.fail('unavailable', { times: 3 });
    const before = Date.now();
    const submission = await gateway.submit(
      'webhook_dispatch',
      { event: 'invoice.paid', payload: { invoice: 7 } },
      { idempotencyKey: 'inv-7' },
    );
    expect(submission.status).toBe('accepted');
    gateway.start({ periodicChecks: false });
    for (let i = 0; i < 200 && !receiver.events.has('inv-7'); i++) await new Promise((r) => setTimeout(r, 25));

    const sent = receiver.requests.filter((r) => r.headers['webhook-id'] === 'inv-7');
    expect(sent).toHaveLength(4);
    expect(new Set(sent.map((r) => r.rawBody)).size).toBe(1);
    const body = JSON.parse(sent[0]!.rawBody) as { timestamp: string };
    expect(Date.parse(body.timestamp)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(body.timestamp)).toBeLessThanOrEqual(before + 1_000);
    // The outbox's retries came later: their webhook-timestamp header moved, the body did not.
    expect(Number(sent[3]!.headers['webhook-timestamp'])).toBeGreaterThanOrEqual(Number(sent[0]!.headers['webhook-timestamp']));
    expect(receiver.conflicts).toEqual([]);
    expect(receiver.events.get('inv-7')!.deliveries).toBe(1);
  });
});
