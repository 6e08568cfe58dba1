/** Signatures checked by the `standardwebhooks` package (not by our code), rotation, tampering, webhook-id stability. */
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { GatewayError } from '../../../src/core/errors.js';
import { createWebhookProvider } from '../../../src/providers/webhook/adapter.js';
import { signatureHeader } from '../../../src/providers/webhook/signature.js';
import { webhookIdFor } from '../../../src/providers/webhook/webhook-id.js';
import { webhookOptions } from '../../../src/providers/webhook/options.js';
import { webhookType } from '../../../src/providers/webhook/index.js';
import { invokeCtx, testDeps } from '../../helpers/context.js';
import { start, type WebhookReceiver } from '../../simulators/webhook-receiver.js';
import { newSecret, receiverOptions } from './fixtures.js';

const OLD = newSecret();
const NEW = newSecret();

describe('webhook signing and delivery', () => {
  let receiver: WebhookReceiver;
  const provider = () => createWebhookProvider('hook', receiverOptions(receiver.url, [OLD, NEW]), testDeps());
  const send = (key: string, attempt = 1, payload = { id: 7 }) =>
    provider()
      .invoke(
        { event: 'contact.created', payload },
        invokeCtx({ provider: 'hook', capability: 'webhook_dispatch', idempotencyKey: key, attempt }),
      )
      .then(
        (r) => r,
        (e: unknown) => e as GatewayError,
      );

  beforeAll(async () => {
    receiver = await start({ secrets: [NEW] });
  });
  afterAll(() => receiver.close());
  beforeEach(() => receiver.reset());

  it('delivers {type, timestamp, data} with webhook-id = idempotency key and one v1 signature per secret', async () => {
    const result = await send('evt_1');
    expect(result).toMatchObject({ webhookId: 'evt_1', status: 200 });
    const event = receiver.events.get('evt_1')!;
    expect(event.payload).toEqual({ type: 'contact.created', timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), data: { id: 7 } });
    expect(event.signature.split(' ')).toHaveLength(2);
    expect(event.signature.split(' ').every((s) => s.startsWith('v1,'))).toBe(true);
    expect(Math.abs(Number(event.timestamp) - Date.now() / 1000)).toBeLessThan(5);
  });

  it('rotation: a receiver knowing only the new secret, or only the old one, verifies the same delivery', async () => {
    expect(await send('evt_new')).toMatchObject({ status: 200 });
    receiver.setSecrets([OLD]);
    expect(await send('evt_old')).toMatchObject({ status: 200 });
    expect([...receiver.events.keys()]).toEqual(['evt_new', 'evt_old']);
    receiver.setSecrets([newSecret()]);
    const error = (await send('evt_none')) as GatewayError;
    expect([error.code, error.kind]).toEqual(['GW_PROVIDER_AUTH', 'auth']);
    expect(receiver.refused.at(-1)?.reason).toBe('No matching signature found');
  });

  it('a tampered body fails verification', async () => {
    await send('evt_t');
    const event = receiver.events.get('evt_t')!;
    const headers = { 'webhook-id': 'evt_t', 'webhook-timestamp': event.timestamp, 'webhook-signature': event.signature };
    expect(() => new Webhook(NEW).verify(event.raw, headers)).not.toThrow();
    const tampered = event.raw.replace('"id":7', '"id":8');
    expect(() => new Webhook(NEW).verify(tampered, headers)).toThrow('No matching signature found');
    const res = await fetch(`${receiver.url}/hooks`, {
      method: 'POST',
      headers: { ...headers, 'webhook-id': 'evt_t2', 'content-type': 'application/json' },
      body: tampered,
    });
    expect(res.status).toBe(401);
    expect(receiver.events.has('evt_t2')).toBe(false);
  });

  it('our signature equals the reference implementation', () => {
    const body = '{"a":1}';
    const date = new Date(1_700_000_000_000);
    expect(signatureHeader([NEW], 'msg_1', 1_700_000_000, body)).toBe(new Webhook(NEW).sign('msg_1', date, body));
  });

  it('a retry with the same idempotency key carries the same webhook-id, and the receiver dedupes it', async () => {
    receiver.fail('unavailable', { times: 1 });
    const first = (await send('order-9', 1)) as GatewayError;
    expect(first.kind).toBe('transient');
    const second = await send('order-9', 2);
    expect(second).toMatchObject({ webhookId: 'order-9', status: 200 });
    await send('order-9', 3);
    const ids = receiver.requests.map((r) => r.headers['webhook-id']);
    expect(ids).toEqual(['order-9', 'order-9', 'order-9']);
    expect(receiver.events.get('order-9')?.deliveries).toBe(2);
  });

  it('retries of one webhook-id carry byte-identical bodies (the event time); only webhook-timestamp moves', async () => {
    const clock = new ManualClock(Date.now());
    const deps = { ...testDeps(), clock };
    const hook = createWebhookProvider('hook', receiverOptions(receiver.url, [NEW]), deps);
    const acceptedAt = clock.now() - 90_000; // accepted 90 s ago (e.g. queued in the outbox since)
    const ctx = (attempt: number) =>
      invokeCtx({ provider: 'hook', capability: 'webhook_dispatch', idempotencyKey: 'evt-same', attempt, acceptedAt });
    receiver.fail('unavailable', { times: 1 });
    const first = await hook
      .invoke({ event: 'contact.created', payload: { id: 7, name: 'Ada' } }, ctx(1))
      .catch((e: unknown) => e as GatewayError);
    expect((first as GatewayError).kind).toBe('transient');
    await clock.advance(5_000);
    await hook.invoke({ event: 'contact.created', payload: { id: 7, name: 'Ada' } }, ctx(2));
    const sent = receiver.requests.filter((r) => r.headers['webhook-id'] === 'evt-same');
    expect(sent).toHaveLength(2);
    expect(sent[1]!.rawBody).toBe(sent[0]!.rawBody);
    expect(JSON.parse(sent[0]!.rawBody)).toEqual({
      type: 'contact.created',
      timestamp: new Date(acceptedAt).toISOString(),
      data: { id: 7, name: 'Ada' },
    });
    expect(Number(sent[1]!.headers['webhook-timestamp']) - Number(sent[0]!.headers['webhook-timestamp'])).toBe(5);
    expect(receiver.conflicts).toEqual([]);
    // The caller's event time, when given, is the body's timestamp.
    await hook.invoke(
      { event: 'order.paid', occurredAt: '2026-12-01T08:00:00Z', payload: {} },
      invokeCtx({ provider: 'hook', capability: 'webhook_dispatch', idempotencyKey: 'evt-time', acceptedAt }),
    );
    expect(receiver.events.get('evt-time')!.payload.timestamp).toBe('2026-12-01T08:00:00Z');
  });

  it('keys that are not valid ids (a dot, spaces) map to a stable msg_ hash', () => {
    expect(webhookIdFor('a.b c')).toMatch(/^msg_[A-Za-z0-9_-]{32}$/);
    expect(webhookIdFor('a.b c')).toBe(webhookIdFor('a.b c'));
    expect(webhookIdFor('a.b c')).not.toBe(webhookIdFor('a.b d'));
  });

  it('options: secrets must be whsec_ values; a single string is accepted', () => {
    expect(webhookOptions.safeParse({ secrets: ['plain'] }).success).toBe(false);
    expect(webhookOptions.parse({ secrets: NEW }).secrets).toEqual([NEW]);
    expect(webhookType.secrets).toContain('secrets');
  });
});
