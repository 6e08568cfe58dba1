/** The `mailgun` provider type: email_sending through Mailgun's messages API (US or EU region). */
import { defineProviderType } from '../types.js';
import { MailgunProvider } from './adapter.js';
import { mailgunHints } from './hints.js';
import { mailgunOptions, type MailgunOptions } from './options.js';

export const mailgunType = defineProviderType<MailgunOptions>({
  type: 'mailgun',
  description: 'Mailgun messages API (US or EU region): one message, or up to 1000 separate copies a call (batch sending)',
  capabilities: ['email_sending'],
  options: mailgunOptions,
  secrets: ['apiKey'],
  required: ['apiKey', 'domain'],
  // Mailgun publishes no numeric API rate limit; domains have their own sending caps (420).
  defaults: { ratePerSecond: 10, burst: 10, concurrency: 4, attemptTimeoutMs: 30_000 },
  hints: mailgunHints,
  create: (name, options, deps) => new MailgunProvider(name, options, deps),
});
