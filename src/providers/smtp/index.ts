/** The `smtp` provider type: email_sending over SMTP (nodemailer). */
import { defineProviderType } from '../types.js';
import { SmtpProvider } from './adapter.js';
import { smtpHints } from './hints.js';
import { smtpOptions, type SmtpConfig } from './options.js';

export const smtpProviderType = defineProviderType<SmtpConfig>({
  type: 'smtp',
  description:
    'SMTP submission (nodemailer): TLS or STARTTLS, password or OAuth2 login, presets for Gmail, Outlook, SendGrid, Mailgun, SES, Postmark',
  capabilities: ['email_sending'],
  options: smtpOptions,
  secrets: ['auth.pass', 'auth.accessToken'],
  // host may come from options.preset: the adapter reports GW_NOT_CONFIGURED when neither is set.
  required: ['from'],
  defaults: { ratePerSecond: 5, burst: 10, concurrency: 5, attemptTimeoutMs: 30_000 },
  hints: smtpHints,
  create: (name, options, deps) => new SmtpProvider(name, options, deps),
});

export type { SmtpConfig } from './options.js';
