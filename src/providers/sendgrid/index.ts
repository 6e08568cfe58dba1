/** The `sendgrid` provider type: email_sending through SendGrid's v3 Mail Send API. */
import { defineProviderType } from '../types.js';
import { SendGridProvider } from './adapter.js';
import { sendgridHints } from './hints.js';
import { sendgridOptions, type SendGridOptions } from './options.js';

export const sendgridType = defineProviderType<SendGridOptions>({
  type: 'sendgrid',
  description: 'SendGrid v3 Mail Send: one message, or up to 1000 separate copies a call (personalizations)',
  capabilities: ['email_sending'],
  options: sendgridOptions,
  secrets: ['apiKey'],
  required: ['apiKey'],
  // Mail send limits are not published (reported around 10,000 requests/second); answers carry X-RateLimit-*.
  defaults: { ratePerSecond: 50, burst: 50, concurrency: 8, attemptTimeoutMs: 30_000 },
  hints: sendgridHints,
  create: (name, options, deps) => new SendGridProvider(name, options, deps),
});
