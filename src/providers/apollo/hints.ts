import type { RecommendationHints } from '../types.js';

export const apolloHints: RecommendationHints = {
  auth: 'Apollo refused the key of {provider}: check its apiKey option (sent as X-Api-Key), that the key has the people/match endpoint enabled (or is a master key), and that the plan gives API access to people enrichment (403 API_INACCESSIBLE means the plan or key lacks that endpoint).',
  not_configured: '{provider} calls an Apollo endpoint that does not exist: check its baseUrl option (https://api.apollo.io/api/v1).',
  rate_limited:
    'Apollo throttled {provider}: its per-minute/hour/day limits depend on the plan (free: 50/min, 200/hour, 600/day for enrichment); lower its ratePerSecond or upgrade the plan.',
  quota: 'Apollo credits of {provider} are used up: buy credits or wait for the monthly refill.',
  transient: 'Apollo is failing for {provider} (5xx or network): the chain fails over; nothing to change unless it persists.',
  invalid_request: 'Apollo refused the enrichment parameters sent through {provider}: check the email, domain (no www.) and LinkedIn URL.',
};
