/** The `crm_webhook` provider type: CRM upserts handed to a receiver (Zapier, Make, own service) as a signed webhook. */
import { defineProviderType } from '../types.js';
import { webhookHints } from '../webhook/hints.js';
import { WEBHOOK_SECRET_PATHS } from '../webhook/options.js';
import { createCrmWebhookProvider } from './adapter.js';
import { crmWebhookOptions, type CrmWebhookOptions } from './options.js';

export const crmWebhookType = defineProviderType<CrmWebhookOptions>({
  type: 'crm_webhook',
  description: 'CRM sync as one signed Standard Webhooks event (crm.records.upsert)',
  capabilities: ['crm_sync'],
  options: crmWebhookOptions,
  secrets: WEBHOOK_SECRET_PATHS,
  required: ['url', 'secrets'],
  defaults: { concurrency: 4, attemptTimeoutMs: 20_000 },
  hints: webhookHints,
  create: (name, options, deps) => createCrmWebhookProvider(name, options, deps),
});
