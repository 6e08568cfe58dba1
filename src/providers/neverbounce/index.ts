/** The `neverbounce` provider type: NeverBounce single-address verification. */
import { defineProviderType } from '../types.js';
import { NeverBounceProvider } from './neverbounce-provider.js';
import { neverBounceOptions } from './options.js';

export const neverBounceType = defineProviderType({
  type: 'neverbounce',
  description: 'NeverBounce verification API (v4.2 POST JSON or v4 GET single/check; probe: account/info, free)',
  capabilities: ['email_verification'],
  options: neverBounceOptions,
  secrets: ['apiKey'],
  required: ['apiKey'],
  // NeverBounce publishes no number for the single endpoint (it answers throttle_triggered when
  // exceeded): 10/s is a conservative default. It advises a ~10 s client timeout, timeouts = unknown.
  defaults: { ratePerSecond: 10, burst: 20, concurrency: 10, attemptTimeoutMs: 15_000 },
  hints: {
    auth: "NeverBounce refused the API key of {provider} (auth_failure or bad_referrer): set option `apiKey` (env NEVERBOUNCE_API_KEY) to a valid API key, and check the key's referrer/IP restrictions in the NeverBounce app.",
    quota: '{provider} has too few NeverBounce credits: buy credits in the NeverBounce app; the probe reports `creditsRemaining`.',
    rate_limited: 'NeverBounce throttled {provider} (throttle_triggered): lower `ratePerSecond` of {provider}.',
    not_configured: '{provider} has no API key: set option `apiKey` (env NEVERBOUNCE_API_KEY).',
    transient:
      'NeverBounce answers {provider} with temp_unavail, general_failure or 5xx: check https://status.neverbounce.com and option `baseUrl` of {provider}.',
    timeout:
      'NeverBounce did not answer {provider} in time: set option `timeoutSeconds` so it answers `unknown` sooner, or raise the attempt timeout.',
    slow: 'NeverBounce is slow for {provider}: set option `timeoutSeconds` to bound its own verification time.',
  },
  create: (name, options, deps) => new NeverBounceProvider(name, options, deps.clock),
});
