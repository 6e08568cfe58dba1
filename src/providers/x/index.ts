/** The `x` provider type: X API v2 `POST /2/tweets` for social_posting_x. */
import { defineProviderType } from '../types.js';
import { createXProvider } from './adapter.js';
import { xHints } from './hints.js';
import { xOptions, type XOptions } from './options.js';

export const xType = defineProviderType<XOptions>({
  type: 'x',
  description: 'X (Twitter) API v2 posts with an OAuth 2.0 user token',
  capabilities: ['social_posting_x'],
  options: xOptions,
  secrets: ['accessToken'],
  required: ['accessToken'],
  // Limits depend on the access tier and are read from the response headers, not hard-coded.
  defaults: { concurrency: 2, attemptTimeoutMs: 15_000 },
  hints: xHints,
  create: (name, options, deps) => createXProvider(name, options, deps),
});
