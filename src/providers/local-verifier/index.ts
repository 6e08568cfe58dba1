/** The `local_verifier` provider type: embedded email verification, no third party. */
import { defineProviderType } from '../types.js';
import { LocalVerifier } from './local-verifier.js';
import { localVerifierOptions } from './options.js';

export const localVerifierType = defineProviderType({
  type: 'local_verifier',
  description:
    'Embedded email verifier: RFC 5321/5322 syntax, MX / null MX / implicit MX over DNS, disposable, role and free-provider lists, optional SMTP RCPT probe',
  capabilities: ['email_verification'],
  options: localVerifierOptions,
  secrets: [],
  // No provider quota: the limit protects the DNS resolvers (public resolvers throttle around 1,000 qps per client).
  defaults: { ratePerSecond: 100, burst: 100, concurrency: 32, attemptTimeoutMs: 10_000 },
  hints: {
    transient:
      'DNS lookups of {provider} fail (SERVFAIL, refused or no answer): check the resolvers in option `dns.servers` of {provider} (system resolvers when unset) and that UDP/TCP port 53 to them is open.',
    timeout:
      '{provider} did not finish within the attempt timeout: use closer resolvers in `dns.servers`, lower `dns.timeoutMs`/`dns.tries`, or turn off `smtpProbe` if outbound port 25 is filtered.',
    slow: '{provider} answers slowly: its DNS resolvers (`dns.servers`) or the SMTP probe (`smtpProbe`, `smtp.timeoutMs`) are the usual cause.',
  },
  create: (name, options) => new LocalVerifier(name, options),
});
