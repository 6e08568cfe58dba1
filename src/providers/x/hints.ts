import type { RecommendationHints } from '../types.js';

export const xHints: RecommendationHints = {
  auth: 'X refuses {provider}: renew the OAuth 2.0 user token in its `accessToken` option (scopes tweet.read tweet.write users.read; app-only tokens cannot post).',
  rate_limited: '{provider} hit the X 15-minute window; it resumes at x-rate-limit-reset. Lower its rate limit if this repeats.',
  quota:
    '{provider} reached the X 24-hour posting cap of its access tier; it resumes at the 24-hour reset. Add another social_posting_x provider or a higher tier.',
  invalid_request:
    'X rejected a post of {provider} (invalid parameters or duplicate content): identical text is refused within a short period.',
  transient: 'X fails for {provider} (5xx or network): nothing to change unless it persists.',
  timeout: 'X is slow for {provider}: raise its attempt timeout only if posts time out often.',
  unknown_outcome:
    'An X post of {provider} may have been published although no answer came: check the account before retrying (X has no idempotency key).',
  not_configured: 'Set the `accessToken` option of {provider} (an OAuth 2.0 user token, from an environment variable).',
};
