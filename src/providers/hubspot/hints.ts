import type { RecommendationHints } from '../types.js';

export const hubspotHints: RecommendationHints = {
  auth: 'HubSpot refused the token of {provider} (invalid, expired or missing scopes): check its accessToken option and that the private app has crm.objects.contacts.read and crm.objects.contacts.write.',
  misconfigured: '{provider} points at an object type HubSpot does not know: check its object option (e.g. contacts).',
  rate_limited:
    'HubSpot throttled {provider} (about 100 requests per 10 seconds per account, shared by all apps): lower its ratePerSecond.',
  quota:
    'HubSpot daily API limit reached for {provider}: calls resume after midnight in the account time zone; consider the API limit increase add-on.',
  transient: 'HubSpot is failing for {provider} (5xx or network): the chain fails over; nothing to change unless it persists.',
  invalid_request:
    'HubSpot refused the records sent through {provider}: check property names (internal names), values (e.g. email format) and that mergeOn names one unique property.',
};
