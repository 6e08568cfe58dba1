/** The `linkedin` provider type: Posts API (`/rest/posts`) for social_posting_linkedin. */
import { defineProviderType } from '../types.js';
import { createLinkedinProvider } from './adapter.js';
import { linkedinHints } from './hints.js';
import { linkedinOptions, type LinkedinOptions } from './options.js';

export const linkedinType = defineProviderType<LinkedinOptions>({
  type: 'linkedin',
  description: 'LinkedIn Posts API (member or organization posts, versioned REST)',
  capabilities: ['social_posting_linkedin'],
  options: linkedinOptions,
  secrets: ['accessToken'],
  required: ['accessToken'],
  // LinkedIn publishes no numbers: limits are daily per member and app and reset at midnight UTC.
  defaults: { concurrency: 2, attemptTimeoutMs: 15_000 },
  hints: linkedinHints,
  create: (name, options, deps) => createLinkedinProvider(name, options, deps),
});
