/**
 * Each receiver against webhooks signed with the provider's own scheme (keys generated here):
 * a genuine one is parsed into events, a tampered, unsigned, stale or replayed one is refused
 * with the status that stops the sender's retries, and nothing of it is applied.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { MailgunReceiver } from '../../src/deliverability/receivers/mailgun.js';
import { PostmarkReceiver } from '../../src/deliverability/receivers/postmark.js';
import type { InboundWebhook } from '../../src/deliverability/receivers/receiver.js';
import { SendGridReceiver } from '../../src/deliverability/receivers/sendgrid.js';
import { SesSnsReceiver } from '../../src/deliverability/receivers/ses-sns.js';
import { StandardWebhookReceiver } from '../../src/deliverability/receivers/standard.js';
import { mailgunBody, sendgridSigner, snsSigner, standardHeaders } from './signers.js';

const hook = (raw: string, headers: Record<string, string> = {}): InboundWebhook => ({ raw: Buffer.from(raw, 'utf8'), headers });
const now = () => Date.now();

describe('sendgrid receiver (ECDSA P-256)', () => {
  const signer = sendgridSigner();
  const receiver = new SendGridReceiver({ name: 'sg', publicKey: signer.publicKey, toleranceSeconds: 0 });
  // SendGrid's sample events, with our custom arg; the signature covers the bytes incl. the trailing CRLF.
  const raw =
    JSON.stringify([
      {
        email: 'example@test.com',
        timestamp: 1513299569,
        'smtp-id': '<14c5d75ce93.dfd.64b469@ismtpd-555>',
        event: 'bounce',
        category: 'cat facts',
        sg_event_id: '6g4ZI7SA-xmRDv57GoPIPw==',
        sg_message_id: '14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0',
        reason: '500 unknown recipient',
        status: '5.0.0',
        type: 'bounce',
        gateway_key: 'order-1',
      },
      { email: 'b@test.com', timestamp: 1513299570, event: 'bounce', type: 'blocked', sg_event_id: 'ev-2', sg_message_id: 'm2.filter' },
      { email: 'c@test.com', timestamp: 1513299571, event: 'spamreport', sg_event_id: 'ev-3' },
      { email: 'd@test.com', timestamp: 1513299572, event: 'processed', sg_event_id: 'ev-4' },
    ]) + '\r\n';

  it('verifies the signature over the raw bytes and maps the events', async () => {
    const v = await receiver.receive(hook(raw, signer.headers(raw)), now());
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.events.map((e) => [e.type, e.address, e.eventId])).toEqual([
      ['hard_bounce', 'example@test.com', '6g4ZI7SA-xmRDv57GoPIPw=='],
      ['soft_bounce', 'b@test.com', 'ev-2'],
      ['complaint', 'c@test.com', 'ev-3'],
    ]);
    expect(v.events[0]).toMatchObject({
      messageId: '14c5d75ce93',
      gatewayKey: 'order-1',
      at: 1513299569000,
      detail: '5.0.0 500 unknown recipient',
    });
  });

  it('refuses a tampered body, a re-serialised body, another key and missing headers (403)', async () => {
    const headers = signer.headers(raw);
    const tampered = raw.replace('example@test.com', 'victim@test.com');
    const reserialised = JSON.stringify(JSON.parse(raw));
    const other = sendgridSigner();
    for (const w of [hook(tampered, headers), hook(reserialised, headers), hook(raw, other.headers(raw)), hook(raw)]) {
      const v = await receiver.receive(w, now());
      expect(v).toMatchObject({ ok: false, status: 403 });
    }
  });

  it('with a tolerance, refuses an old timestamp even when signed', async () => {
    const strict = new SendGridReceiver({ name: 'sg', publicKey: signer.publicKey, toleranceSeconds: 300 });
    const old = String(Math.floor(Date.now() / 1000) - 3_600);
    expect(await strict.receive(hook(raw, signer.headers(raw, old)), now())).toMatchObject({ ok: false, reason: 'stale' });
  });
});

describe('mailgun receiver (HMAC, token once)', () => {
  const key = 'mg-signing-key-5f1c9a';
  const receiver = new MailgunReceiver({ name: 'mg', signingKey: key, toleranceSeconds: 3_600 });
  const failed = {
    event: 'failed',
    id: 'pl271FzxTTmGRW8Uj3dUWw',
    timestamp: 1529701969.818328,
    severity: 'permanent',
    reason: 'generic',
    'delivery-status': { code: 550, description: 'No such user' },
    message: { headers: { 'message-id': '20180622211249.1.2A6098970A380E12@example.org' } },
    recipient: 'joan@example.com',
    'user-variables': { gateway_key: 'k-9' },
  };

  it('verifies, maps permanent failures to hard bounces and suppress-* to dropped, temporary to deferred', async () => {
    const v = await receiver.receive(hook(mailgunBody(key, failed)), now());
    expect(v).toMatchObject({
      ok: true,
      events: [
        {
          type: 'hard_bounce',
          address: 'joan@example.com',
          eventId: 'pl271FzxTTmGRW8Uj3dUWw',
          messageId: '20180622211249.1.2A6098970A380E12@example.org',
          gatewayKey: 'k-9',
          at: 1529701969818,
        },
      ],
    });
    const dropped = await receiver.receive(hook(mailgunBody(key, { ...failed, id: 'x2', reason: 'suppress-bounce' })), now());
    expect(dropped.ok && dropped.events[0]!.type).toBe('dropped');
    const temp = await receiver.receive(hook(mailgunBody(key, { ...failed, id: 'x3', severity: 'temporary' })), now());
    expect(temp.ok && temp.events[0]!.type).toBe('deferred');
  });

  it('refuses a wrong key, a reused token and a stale signature (406)', async () => {
    expect(await receiver.receive(hook(mailgunBody('other-key-123', failed)), now())).toMatchObject({
      ok: false,
      status: 406,
      reason: 'bad_signature',
    });
    const body = mailgunBody(key, { ...failed, id: 'once' }, { token: 't'.repeat(50) });
    expect((await receiver.receive(hook(body), now())).ok).toBe(true);
    expect(await receiver.receive(hook(body), now())).toMatchObject({ ok: false, status: 406, reason: 'replayed' });
    const old = mailgunBody(key, failed, { timestamp: Math.floor(Date.now() / 1000) - 7_200 });
    expect(await receiver.receive(hook(old), now())).toMatchObject({ ok: false, reason: 'stale' });
  });
});

describe('postmark receiver (Basic auth)', () => {
  const receiver = new PostmarkReceiver({ name: 'pm', username: 'hooks', password: 'long-password-42' });
  const basic = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
  const bounce = JSON.stringify({
    RecordType: 'Bounce',
    ID: 4323372036,
    Type: 'HardBounce',
    TypeCode: 1,
    MessageID: '883953f4-6105-42a2-a16a-77a8eac79483',
    Details: 'smtp;550 5.1.1 The email account that you tried to reach does not exist.',
    Email: 'john@example.com',
    BouncedAt: '2019-11-05T16:33:54.9070259Z',
    Metadata: { gateway_key: 'pm-key' },
  });

  it('accepts the configured credentials and maps the record', async () => {
    const v = await receiver.receive(hook(bounce, basic('hooks', 'long-password-42')), now());
    expect(v).toMatchObject({
      ok: true,
      events: [
        { type: 'hard_bounce', address: 'john@example.com', messageId: '883953f4-6105-42a2-a16a-77a8eac79483', gatewayKey: 'pm-key' },
      ],
    });
    const soft = JSON.stringify({ ...JSON.parse(bounce), ID: 2, Type: 'SoftBounce' });
    expect((await receiver.receive(hook(soft, basic('hooks', 'long-password-42')), now())).ok).toBe(true);
    const auto = await receiver.receive(
      hook(JSON.stringify({ ...JSON.parse(bounce), Type: 'AutoResponder' }), basic('hooks', 'long-password-42')),
      now(),
    );
    expect(auto).toMatchObject({ ok: true, events: [] });
  });

  it('refuses wrong or missing credentials (403)', async () => {
    expect(await receiver.receive(hook(bounce, basic('hooks', 'wrong-password')), now())).toMatchObject({ ok: false, status: 403 });
    expect(await receiver.receive(hook(bounce), now())).toMatchObject({ ok: false, status: 403 });
  });
});

describe('standard webhooks receiver', () => {
  const oldSecret = `whsec_${Buffer.from('old-secret-0123456789abcdef').toString('base64')}`;
  const newSecret = `whsec_${Buffer.from('new-secret-0123456789abcdef').toString('base64')}`;
  const receiver = new StandardWebhookReceiver({ name: 'partner', secrets: [newSecret, oldSecret], toleranceSeconds: 300 });
  const body = JSON.stringify({
    type: 'complaint',
    timestamp: '2026-12-01T10:00:00Z',
    data: { address: 'x@example.com', gatewayKey: 'k' },
  });

  it('verifies with any configured secret and any of several signatures (key rotation)', async () => {
    for (const secrets of [[oldSecret], [newSecret], [`whsec_${Buffer.from('unknown-secret-0123456789').toString('base64')}`, newSecret]]) {
      const v = await receiver.receive(hook(body, standardHeaders(secrets, 'msg_1', body)), now());
      expect(v).toMatchObject({ ok: true, events: [{ eventId: 'msg_1', type: 'complaint', address: 'x@example.com', gatewayKey: 'k' }] });
    }
  });

  it('refuses outside the tolerance, a wrong secret, a tampered body, and names a bad field', async () => {
    const late = new Date(Date.now() - 10 * 60_000);
    expect(await receiver.receive(hook(body, standardHeaders(newSecret, 'm', body, late)), now())).toMatchObject({
      ok: false,
      status: 401,
      reason: 'stale',
    });
    const wrong = `whsec_${Buffer.from('wrong-secret-0123456789ab').toString('base64')}`;
    expect(await receiver.receive(hook(body, standardHeaders(wrong, 'm', body)), now())).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
    expect(await receiver.receive(hook(body.replace('x@', 'y@'), standardHeaders(newSecret, 'm', body)), now())).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
    const bad = JSON.stringify({ type: 'exploded', timestamp: '2026-12-01T10:00:00Z', data: { address: 'x@example.com' } });
    const v = await receiver.receive(hook(bad, standardHeaders(newSecret, 'm', bad)), now());
    expect(v).toMatchObject({ ok: false, status: 400 });
    expect(!v.ok && v.message).toMatch(/^type: /);
  });
});

describe('ses receiver (SNS signature, certificate host restricted)', () => {
  let sns: Awaited<ReturnType<typeof snsSigner>>;
  let receiver: SesSnsReceiver;
  const topic = 'arn:aws:sns:us-east-1:123456789012:ses-events';
  const bounce = {
    notificationType: 'Bounce',
    bounce: {
      bounceType: 'Permanent',
      bounceSubType: 'General',
      bouncedRecipients: [
        { emailAddress: 'jane@example.com', status: '5.1.1', action: 'failed', diagnosticCode: 'smtp; 550 5.1.1 user unknown' },
      ],
      timestamp: '2016-01-27T14:59:38.237Z',
      feedbackId: '00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa068a-000000',
    },
    mail: {
      messageId: '00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000',
      destination: ['jane@example.com'],
      tags: { gateway_key: ['ses-key'] },
    },
  };
  const notification = (overrides: Record<string, string> = {}) => ({
    Type: 'Notification',
    MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
    TopicArn: topic,
    Message: JSON.stringify(bounce),
    Timestamp: new Date().toISOString(),
    ...overrides,
  });

  beforeAll(async () => {
    sns = await snsSigner();
    receiver = new SesSnsReceiver({
      name: 'ses',
      topicArns: [topic],
      certUrlPattern: `^${sns.base.replace(/\./g, '\\.')}/`,
      confirmSubscriptions: true,
      toleranceSeconds: 3_600,
      logger: silentLogger,
    });
  });
  afterAll(() => sns.close());

  it('verifies signature versions 1 and 2 and maps the bounce (certificate fetched once)', async () => {
    for (const version of ['1', '2'] as const) {
      const v = await receiver.receive(hook(sns.message(notification(), version)), now());
      expect(v).toMatchObject({
        ok: true,
        events: [
          {
            eventId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324:0',
            type: 'hard_bounce',
            address: 'jane@example.com',
            messageId: '00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000',
            gatewayKey: 'ses-key',
          },
        ],
      });
    }
    expect(sns.certRequests()).toBe(1);
  });

  it('refuses a tampered message, another topic, and a certificate URL outside the pattern without fetching it', async () => {
    const genuine = JSON.parse(sns.message(notification())) as Record<string, string>;
    const tampered = JSON.stringify({ ...genuine, Message: genuine.Message!.replace('jane@', 'joe@') });
    expect(await receiver.receive(hook(tampered), now())).toMatchObject({ ok: false, status: 403, reason: 'bad_signature' });
    expect(
      await receiver.receive(hook(sns.message(notification({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:other' }))), now()),
    ).toMatchObject({
      ok: false,
      reason: 'unknown_topic',
    });
    const before = sns.certRequests();
    const evil = sns.message(notification(), '1', 'http://127.0.0.2:1/evil.pem');
    expect(await receiver.receive(hook(evil), now())).toMatchObject({ ok: false, reason: 'bad_cert_url' });
    expect(sns.certRequests()).toBe(before);
  });

  it('confirms a verified subscription by fetching its SubscribeURL', async () => {
    const confirmation = {
      Type: 'SubscriptionConfirmation',
      MessageId: '165545c9-2a5c-472c-8df2-7ff2be2b3b1b',
      Token:
        '2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736',
      TopicArn: topic,
      Message: `You have chosen to subscribe to the topic ${topic}.`,
      SubscribeURL: `${sns.base}/subscribe?Action=ConfirmSubscription`,
      Timestamp: new Date().toISOString(),
    };
    const v = await receiver.receive(hook(sns.message(confirmation)), now());
    expect(v).toMatchObject({ ok: true, events: [], note: 'subscription confirmed' });
    expect(sns.subscribeCalls()).toBe(1);
  });
});
