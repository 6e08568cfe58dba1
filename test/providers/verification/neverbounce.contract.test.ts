import { emailVerification } from '../../../src/capabilities/email-verification.js';
import { neverBounceType } from '../../../src/providers/neverbounce/index.js';
import { adapterContract } from '../../contract/adapter-contract.js';
import { captureLogger, testDeps } from '../../helpers/context.js';
import { NB_KEY, start } from '../../simulators/neverbounce.js';

for (const apiVersion of ['v4.2', 'v4'] as const) {
  adapterContract(`neverbounce ${apiVersion}`, async () => {
    const sim = await start();
    const { logger, lines } = captureLogger();
    const provider = neverBounceType.create(
      'nb_contract',
      neverBounceType.options.parse({ apiKey: NB_KEY, baseUrl: sim.url, apiVersion }),
      testDeps(logger),
    );
    return {
      provider,
      capability: emailVerification,
      request: () => ({ email: 'valid@example.com' }),
      secrets: [NB_KEY],
      rateLimitOnSuccess: { noneBecause: 'NeverBounce answers carry no rate-limit headers; credits are read by the probe' },
      retries: { noneBecause: 'NeverBounce is a read API; it sends no webhook' },
      batch: { noneBecause: 'one address per request (single check)' },
      failures: [
        { name: 'auth_failure (echoes the key)', arm: () => sim.fail('bad_key'), kind: 'auth', code: 'GW_PROVIDER_AUTH' },
        { name: 'bad_referrer', arm: () => sim.fail('bad_referrer'), kind: 'auth', code: 'GW_PROVIDER_AUTH' },
        { name: 'throttle_triggered', arm: () => sim.fail('throttled'), kind: 'rate_limited', retryAfterMs: 'present' },
        { name: 'temp_unavail', arm: () => sim.fail('temp_unavail'), kind: 'transient', code: 'GW_PROVIDER_TRANSIENT' },
        { name: 'insufficient credit', arm: () => sim.fail('no_credits'), kind: 'quota', code: 'GW_PROVIDER_QUOTA' },
        {
          name: 'general_failure (parameter)',
          arm: () => sim.fail('missing_param'),
          kind: 'invalid_request',
          code: 'GW_PROVIDER_REJECTED',
        },
        { name: 'general_failure (other)', arm: () => sim.fail('general_failure'), kind: 'transient' },
        { name: '429', arm: () => sim.fail('http_429'), kind: 'rate_limited', retryAfterMs: [3_000, 3_000] },
        { name: '500', arm: () => sim.fail('http_500'), kind: 'transient' },
        { name: 'dropped connection', arm: () => sim.fail('drop'), kind: 'transient' },
      ],
      hang: () => sim.fail('hang'),
      probeFailure: { arm: () => sim.fail('bad_key'), kind: 'auth' },
      reset: () => sim.reset(),
      logs: lines,
      close: () => sim.close(),
    };
  });
}
