/** The `facebook` provider type: Graph API Page feed posts for social_posting_facebook. */
import { defineProviderType } from '../types.js';
import { createFacebookProvider } from './adapter.js';
import { facebookHints } from './hints.js';
import { facebookOptions, type FacebookOptions } from './options.js';

export const facebookType = defineProviderType<FacebookOptions>({
  type: 'facebook',
  description: 'Facebook Page posts through the Graph API (/{page-id}/feed)',
  capabilities: ['social_posting_facebook'],
  options: facebookOptions,
  secrets: ['pageAccessToken', 'appSecret'],
  required: ['pageId', 'pageAccessToken'],
  // Page tokens use Business-Use-Case limits (4800 × engaged users per 24 h); no fixed per-second rate.
  defaults: { concurrency: 2, attemptTimeoutMs: 15_000 },
  hints: facebookHints,
  create: (name, options, deps) => createFacebookProvider(name, options, deps),
});
