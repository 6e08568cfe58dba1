/** The `imap` provider type: reply_fetching from an IMAP mailbox (imapflow + mailparser). */
import { defineProviderType } from '../types.js';
import { ImapProvider } from './adapter.js';
import { imapHints } from './hints.js';
import { imapOptions, type ImapConfig } from './options.js';

export const imapProviderType = defineProviderType<ImapConfig>({
  type: 'imap',
  description: 'IMAP reply fetching (imapflow): UID cursor per mailbox, thread linking to sent mail, auto-reply and bounce detection',
  capabilities: ['reply_fetching'],
  options: imapOptions,
  secrets: ['auth.pass', 'auth.accessToken'],
  // host may come from options.preset: the adapter reports GW_NOT_CONFIGURED when neither is set.
  required: ['auth'],
  defaults: { ratePerSecond: 1, burst: 2, concurrency: 1, attemptTimeoutMs: 60_000 },
  hints: imapHints,
  create: (name, options, deps) => new ImapProvider(name, options, deps),
});

export type { ImapConfig } from './options.js';
