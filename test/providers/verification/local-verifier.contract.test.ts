import { emailVerification } from '../../../src/capabilities/email-verification.js';
import { localVerifierType } from '../../../src/providers/local-verifier/index.js';
import { adapterContract } from '../../contract/adapter-contract.js';
import { startDnsServer } from '../../harness/dns-server.js';
import { captureLogger, testDeps } from '../../helpers/context.js';

adapterContract('local_verifier', async () => {
  const dns = await startDnsServer();
  const { logger, lines } = captureLogger();
  const provider = localVerifierType.create(
    'local_contract',
    localVerifierType.options.parse({ dns: { servers: [dns.server] }, probeDomain: 'mx.test' }),
    testDeps(logger),
  );
  return {
    provider,
    capability: emailVerification,
    request: () => ({ email: 'jane@mx.test' }),
    secrets: [],
    rateLimitOnSuccess: { noneBecause: 'local checks: no provider rate limit' },
    retries: { noneBecause: 'a local check, nothing is sent' },
    batch: { noneBecause: 'one address per request' },
    failures: [
      { name: 'DNS SERVFAIL', arm: () => dns.mode('servfail'), kind: 'transient', code: 'GW_PROVIDER_TRANSIENT' },
      { name: 'DNS REFUSED', arm: () => dns.mode('refused'), kind: 'transient', code: 'GW_PROVIDER_TRANSIENT' },
    ],
    // The "hanging peer" is a DNS server that never answers; the resolver's own timeout (2 s x 2 tries) is longer than the attempt.
    hang: () => dns.mode('hang'),
    probeFailure: { arm: () => dns.mode('servfail'), kind: 'transient' },
    reset: () => dns.mode(undefined),
    logs: lines,
    close: () => dns.close(),
  };
});
