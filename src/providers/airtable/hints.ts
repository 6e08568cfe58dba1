import type { RecommendationHints } from '../types.js';

export const airtableHints: RecommendationHints = {
  auth: 'Airtable refused the token of {provider}: check its apiToken option (a personal access token with the data.records:write scope) and that the token has access to the base named by baseId.',
  not_configured: '{provider} cannot reach its base or table: set the baseId and table options (the table must exist in that base).',
  rate_limited:
    'Airtable throttled {provider} (5 requests/second per base, then a 30-second wait): lower its ratePerSecond or spread syncs over time.',
  quota: 'Airtable refused {provider} for a plan limit: check the workspace plan and the base record limit.',
  transient: 'Airtable is failing for {provider} (5xx or network): the chain fails over; nothing to change unless it persists.',
  invalid_request:
    'Airtable refused the records sent through {provider}: check field names, field types (or set typecast) and the mergeOn fields.',
};
