/** The `ses` provider type: email_sending through Amazon SES API v2 (the official SDK). */
import { defineProviderType } from '../types.js';
import { SesProvider } from './adapter.js';
import { sesHints } from './hints.js';
import { sesOptions, type SesOptions } from './options.js';

export const sesType = defineProviderType<SesOptions>({
  type: 'ses',
  description: 'Amazon SES v2 SendEmail (SigV4 through @aws-sdk/client-sesv2): one message a call',
  capabilities: ['email_sending'],
  options: sesOptions,
  secrets: ['secretAccessKey', 'sessionToken'],
  required: ['accessKeyId', 'secretAccessKey'],
  // A new production account may send 14 messages a second (the sandbox 1); set ratePerSecond to the account's MaxSendRate.
  defaults: { ratePerSecond: 14, burst: 14, concurrency: 8, attemptTimeoutMs: 30_000 },
  hints: sesHints,
  create: (name, options) => new SesProvider(name, options),
});
