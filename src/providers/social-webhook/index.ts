/** The `social_webhook` provider type: social posts handed to a receiver (Zapier, Make) as a signed webhook. */
import { defineProviderType } from '../types.js';
import { webhookHints } from '../webhook/hints.js';
import { WEBHOOK_SECRET_PATHS } from '../webhook/options.js';
import { createSocialWebhookProvider } from './adapter.js';
import { socialWebhookOptions, type SocialWebhookOptions } from './options.js';

export const socialWebhookType = defineProviderType<SocialWebhookOptions>({
  type: 'social_webhook',
  description: 'Social posts as one signed Standard Webhooks event (social.post.create), e.g. to Zapier or Make',
  capabilities: ['social_posting_linkedin', 'social_posting_x', 'social_posting_facebook'],
  options: socialWebhookOptions,
  secrets: WEBHOOK_SECRET_PATHS,
  required: ['url', 'secrets'],
  defaults: { concurrency: 4, attemptTimeoutMs: 20_000 },
  hints: webhookHints,
  create: (name, options, deps) => createSocialWebhookProvider(name, options, deps),
});
