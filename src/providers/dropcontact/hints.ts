import type { RecommendationHints } from '../types.js';

export const dropcontactHints: RecommendationHints = {
  auth: 'Dropcontact refused the key of {provider}: check its apiKey option (sent as X-Access-Token).',
  not_configured:
    '{provider} calls a Dropcontact endpoint that does not exist: check its baseUrl (https://api.dropcontact.com) and apiVersion (v1) options.',
  quota: 'Dropcontact credits of {provider} are used up: buy credits; the probe passes again once the balance is above zero.',
  rate_limited: 'Dropcontact throttled {provider} (60 requests/second): lower its ratePerSecond or raise pollIntervalMs.',
  timeout:
    'Dropcontact results for {provider} take longer than the attempt timeout: raise attemptTimeoutMs (results often take 10-60 s); retries resume polling without paying again.',
  transient: 'Dropcontact is failing for {provider} (5xx or network): the chain fails over; nothing to change unless it persists.',
  invalid_request:
    'Dropcontact refused the record sent through {provider}: it needs an email, a LinkedIn URL or a name with a company or website.',
};
