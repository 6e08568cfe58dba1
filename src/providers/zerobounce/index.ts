/** The `zerobounce` provider type: ZeroBounce v2 single-address validation. */
import { defineProviderType } from '../types.js';
import { zeroBounceOptions } from './options.js';
import { ZeroBounceProvider } from './zerobounce-provider.js';

export const zeroBounceType = defineProviderType({
  type: 'zerobounce',
  description: 'ZeroBounce email validation API v2 (GET /v2/validate; probe: /v2/getcredits, free)',
  capabilities: ['email_verification'],
  options: zeroBounceOptions,
  secrets: ['apiKey'],
  required: ['apiKey'],
  // Documented: validate 80,000 requests per 10 s (over it: blocked 1 min). Answers take 1-30 s (up to ~70 s): ZeroBounce advises a >= 30 s timeout.
  defaults: { ratePerSecond: 8_000, burst: 1_000, concurrency: 50, attemptTimeoutMs: 30_000 },
  hints: {
    auth: "ZeroBounce refused the API key of {provider}: set option `apiKey` (env ZEROBOUNCE_API_KEY) to a valid key from the ZeroBounce dashboard; the probe's getcredits answers -1 for a bad key.",
    quota: '{provider} has no ZeroBounce credits left: buy credits in the ZeroBounce dashboard; the probe reports the balance (`credits`).',
    rate_limited:
      '{provider} was throttled or blocked by ZeroBounce (validate allows 80,000 requests per 10 s; repeated bad requests or keys also block): lower `ratePerSecond` of {provider}.',
    not_configured: '{provider} has no API key: set option `apiKey` (env ZEROBOUNCE_API_KEY).',
    transient:
      'ZeroBounce answers {provider} with errors or 5xx: check https://status.zerobounce.net and option `baseUrl`/`region` of {provider}.',
    timeout:
      'ZeroBounce takes 1-30 s (sometimes ~70 s) per address: keep the attempt timeout of {provider} >= 30 s, or set option `timeoutSeconds` so ZeroBounce answers `unknown` sooner.',
    slow: 'ZeroBounce is slow for {provider}: set option `timeoutSeconds` (3-60) so it gives up and answers `unknown` sooner.',
  },
  create: (name, options, deps) => new ZeroBounceProvider(name, options, deps.clock),
});
