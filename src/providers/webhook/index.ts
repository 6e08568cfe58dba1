/** The `webhook` provider type: signed Standard Webhooks deliveries for webhook_dispatch. */
import { defineProviderType } from '../types.js';
import { createWebhookProvider } from './adapter.js';
import { webhookHints } from './hints.js';
import { WEBHOOK_SECRET_PATHS, webhookOptions, type WebhookOptions } from './options.js';

export const webhookType = defineProviderType<WebhookOptions>({
  type: 'webhook',
  description: 'Signed webhook deliveries (Standard Webhooks v1: webhook-id, webhook-timestamp, webhook-signature)',
  capabilities: ['webhook_dispatch'],
  options: webhookOptions,
  secrets: WEBHOOK_SECRET_PATHS,
  required: ['secrets'],
  defaults: { concurrency: 8, attemptTimeoutMs: 20_000 },
  hints: webhookHints,
  create: (name, options, deps) => createWebhookProvider(name, options, deps),
});
