/** What crm_webhook and social_webhook send, and how they read the receiver's answer. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCrmWebhookProvider } from '../../../src/providers/crm-webhook/adapter.js';
import { crmWebhookOptions } from '../../../src/providers/crm-webhook/options.js';
import { createSocialWebhookProvider } from '../../../src/providers/social-webhook/adapter.js';
import { socialWebhookOptions } from '../../../src/providers/social-webhook/options.js';
import { invokeCtx, testDeps } from '../../helpers/context.js';
import { start, type WebhookReceiver } from '../../simulators/webhook-receiver.js';
import { newSecret, receiverOptions } from './fixtures.js';

describe('crm_webhook and social_webhook', () => {
  const secret = newSecret();
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await start({ secrets: [secret] });
  });
  afterAll(() => receiver.close());
  beforeEach(() => receiver.reset());

  const crm = () =>
    createCrmWebhookProvider(
      'crm_hook',
      crmWebhookOptions.parse({ ...receiverOptions(receiver.url, [secret]), object: 'contacts' }),
      testDeps(),
    );
  const social = () =>
    createSocialWebhookProvider(
      'webhook_linkedin',
      socialWebhookOptions.parse({ ...receiverOptions(receiver.url, [secret]), author: 'urn:li:person:me' }),
      testDeps(),
    );
  const crmRequest = {
    mergeOn: ['email'],
    records: [{ fields: { email: 'a@x.io' } }, { fields: { email: 'b@x.io' } }, { fields: { email: 'c@x.io' } }],
  };

  it('crm: one crm.records.upsert event; without an answer every record is updated', async () => {
    const result = await crm().invoke(crmRequest, invokeCtx({ capability: 'crm_sync', idempotencyKey: 'sync-1' }));
    expect(result).toEqual({ created: 0, updated: 3, failed: 0, records: [0, 1, 2].map((index) => ({ index, status: 'updated' })) });
    expect(receiver.events.get('sync-1')?.payload).toMatchObject({
      type: 'crm.records.upsert',
      data: { object: 'contacts', mergeOn: ['email'], records: crmRequest.records },
    });
  });

  it('crm: a receiver answer sets per-record status and ids', async () => {
    receiver.setAnswer(() => ({
      status: 200,
      body: {
        records: [
          { id: 'r1', status: 'created' },
          { index: 2, id: 9, status: 'failed', error: { code: 'DUP', message: 'dup' } },
        ],
      },
    }));
    const result = await crm().invoke(crmRequest, invokeCtx({ capability: 'crm_sync' }));
    expect(result).toEqual({
      created: 1,
      updated: 1,
      failed: 1,
      records: [
        { index: 0, id: 'r1', status: 'created' },
        { index: 1, status: 'updated' },
        { index: 2, id: '9', status: 'failed', error: { code: 'DUP', message: 'dup' } },
      ],
    });
  });

  it('social: social.post.create with the platform from the capability; postId from the answer or the webhook-id', async () => {
    const first = await social().invoke(
      { text: 'hi', link: 'https://example.com' },
      invokeCtx({ capability: 'social_posting_linkedin', idempotencyKey: 'post-1' }),
    );
    expect(first).toEqual({ postId: 'post-1', platform: 'linkedin' });
    expect(receiver.events.get('post-1')?.payload).toMatchObject({
      type: 'social.post.create',
      data: { platform: 'linkedin', text: 'hi', link: 'https://example.com', media: [], author: 'urn:li:person:me' },
    });
    receiver.setAnswer(() => ({ status: 201, body: { id: 12345, url: 'https://www.linkedin.com/feed/update/urn:li:share:12345/' } }));
    const second = await social().invoke({ text: 'x' }, invokeCtx({ capability: 'social_posting_x', idempotencyKey: 'post-2' }));
    expect(second).toEqual({ postId: '12345', platform: 'x', url: 'https://www.linkedin.com/feed/update/urn:li:share:12345/' });
  });
});
