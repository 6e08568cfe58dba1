import type { RecommendationHints } from '../types.js';

export const linkedinHints: RecommendationHints = {
  auth: 'LinkedIn refuses {provider}: renew the member token in its `accessToken` option (scope w_member_social, or w_organization_social with an admin role for organization authors). On GW_PROVIDER_VERSION_RETIRED set its `version` option to a current YYYYMM LinkedIn-Version.',
  rate_limited:
    '{provider} reached a LinkedIn daily limit; it resets at midnight UTC. Spread posts over the day or add another social_posting_linkedin provider.',
  invalid_request:
    'LinkedIn rejected a post of {provider} (validation or DUPLICATE_POST): fix the request; identical text is refused as a duplicate.',
  transient: 'LinkedIn fails for {provider} (5xx or network): nothing to change unless it persists.',
  timeout: 'LinkedIn is slow for {provider}: raise its attempt timeout only if posts time out often.',
  unknown_outcome:
    'A LinkedIn post of {provider} may have been published although no answer came: retry with the same idempotency key (a DUPLICATE_POST then resolves to the published post).',
  not_configured:
    'Set the `accessToken` option of {provider} (from an environment variable) and, for organization posts, its `author` URN.',
};
