/** The `postmark` provider type: email_sending through Postmark's Email API (and its batch endpoint). */
import { defineProviderType } from '../types.js';
import { PostmarkProvider } from './adapter.js';
import { postmarkHints } from './hints.js';
import { postmarkOptions, type PostmarkOptions } from './options.js';

export const postmarkType = defineProviderType<PostmarkOptions>({
  type: 'postmark',
  description: 'Postmark Email API: one message (POST /email), or up to 500 separate copies a call (POST /email/batch)',
  capabilities: ['email_sending'],
  options: postmarkOptions,
  secrets: ['serverToken'],
  required: ['serverToken'],
  // Postmark publishes no numeric API rate limit; a 429 is answered when one is passed.
  defaults: { ratePerSecond: 10, burst: 10, concurrency: 4, attemptTimeoutMs: 30_000 },
  hints: postmarkHints,
  create: (name, options, deps) => new PostmarkProvider(name, options, deps),
});
