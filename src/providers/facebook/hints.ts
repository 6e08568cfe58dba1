import type { RecommendationHints } from '../types.js';

export const facebookHints: RecommendationHints = {
  auth: 'Facebook refuses {provider} (code 190/102 token, 10/2xx permission): renew the Page token in its `pageAccessToken` option (pages_manage_posts, pages_read_engagement) or check `appSecret`.',
  rate_limited:
    '{provider} hit a Graph API rate limit (codes 4/17/32/613/80001); it resumes after estimated_time_to_regain_access. Post less often from this Page or app.',
  quota: '{provider} reached the Facebook application limit (#341); it resumes later. Spread posts over time.',
  invalid_request: 'Facebook rejected a post of {provider} (invalid parameter #100, duplicate #506, policy block #368): fix the content.',
  transient: 'Facebook fails for {provider} (codes 1/2 or 5xx): nothing to change unless it persists.',
  timeout: 'Facebook is slow for {provider}: raise its attempt timeout only if posts time out often.',
  unknown_outcome: 'A Facebook post of {provider} may have been published although no answer came: check the Page before retrying.',
  not_configured: 'Set the `pageId` and `pageAccessToken` options of {provider} (the token from an environment variable).',
};
