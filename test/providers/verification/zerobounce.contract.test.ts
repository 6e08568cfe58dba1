import { emailVerification } from '../../../src/capabilities/email-verification.js';
import { zeroBounceType } from '../../../src/providers/zerobounce/index.js';
import { adapterContract } from '../../contract/adapter-contract.js';
import { captureLogger, testDeps } from '../../helpers/context.js';
import { start, ZB_KEY } from '../../simulators/zerobounce.js';

adapterContract('zerobounce', async () => {
  const sim = await start();
  const { logger, lines } = captureLogger();
  const provider = zeroBounceType.create(
    'zb_contract',
    zeroBounceType.options.parse({ apiKey: ZB_KEY, baseUrl: sim.url }),
    testDeps(logger),
  );
  return {
    provider,
    capability: emailVerification,
    request: () => ({ email: 'valid@example.com' }),
    secrets: [ZB_KEY],
    rateLimitOnSuccess: { noneBecause: 'ZeroBounce answers carry no rate-limit headers; credits are read by the probe' },
    retries: { noneBecause: 'ZeroBounce is a read API; it sends no webhook' },
    batch: { noneBecause: 'one address per request (single validate)' },
    failures: [
      { name: '200 invalid key', arm: () => sim.fail('bad_key', { wording: 1 }), kind: 'auth', code: 'GW_PROVIDER_AUTH' },
      { name: '200 invalid key or no credits (key bad)', arm: () => sim.fail('bad_key'), kind: 'auth', code: 'GW_PROVIDER_AUTH' },
      { name: '200 no credits', arm: () => sim.fail('no_credits'), kind: 'quota', code: 'GW_PROVIDER_QUOTA' },
      {
        name: '200 throttled',
        arm: () => sim.fail('throttled'),
        kind: 'rate_limited',
        code: 'GW_PROVIDER_RATE_LIMITED',
        retryAfterMs: [60_000, 60_000],
      },
      { name: '401', arm: () => sim.fail('http_401'), kind: 'auth' },
      { name: '429 Retry-After', arm: () => sim.fail('http_429'), kind: 'rate_limited', retryAfterMs: [7_000, 7_000] },
      { name: '500', arm: () => sim.fail('http_500'), kind: 'transient', code: 'GW_PROVIDER_TRANSIENT' },
      { name: 'dropped connection', arm: () => sim.fail('drop'), kind: 'transient' },
      { name: 'non-JSON body', arm: () => sim.fail('not_json'), kind: 'transient', code: 'GW_PROVIDER_BAD_RESPONSE' },
    ],
    hang: () => sim.fail('hang'),
    probeFailure: { arm: () => sim.fail('bad_key'), kind: 'auth' },
    reset: () => sim.reset(),
    logs: lines,
    close: () => sim.close(),
  };
});
