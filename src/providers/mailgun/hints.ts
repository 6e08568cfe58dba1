import type { RecommendationHints } from '../types.js';

export const mailgunHints: RecommendationHints = {
  auth: 'Mailgun refused the API key of {provider} (401 Forbidden): set its apiKey option to the primary key or the domain sending key.',
  misconfigured:
    'Mailgun does not know the domain of {provider} in its region (404 Domain not found): check its domain and region options (a domain lives in the US or the EU region).',
  rate_limited: 'Mailgun throttled {provider} (429): lower its ratePerSecond or spread the campaign.',
  quota:
    "Mailgun stopped {provider}'s domain (420 sending cap, resumes at the time it names) or the account (402): check the domain's limits in Mailgun.",
  transient: 'Mailgun is failing for {provider} (5xx or network): the chain fails over; nothing to change unless it persists.',
  invalid_request: 'Mailgun refused a message sent through {provider}: the error names the parameter (an address that is not valid, size).',
};
