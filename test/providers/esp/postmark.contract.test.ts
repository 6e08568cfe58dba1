import { emailSending } from '../../../src/capabilities/email-sending.js';
import { postmarkType } from '../../../src/providers/postmark/index.js';
import { adapterContract } from '../../contract/adapter-contract.js';
import { captureLogger, testDeps } from '../../helpers/context.js';
import { PM_TOKEN, startPostmarkSim } from '../../simulators/postmark.js';

adapterContract('postmark', async () => {
  const sim = await startPostmarkSim();
  const { logger, lines } = captureLogger();
  const provider = postmarkType.create(
    'postmark_contract',
    postmarkType.options.parse({ serverToken: PM_TOKEN, baseUrl: sim.url, from: 'News <news@example.com>' }),
    testDeps(logger),
  );
  return {
    provider,
    capability: emailSending,
    request: () => ({ to: 'ada@example.com', subject: 'Hello', text: 'Hi Ada' }),
    secrets: [PM_TOKEN],
    rateLimitOnSuccess: { noneBecause: 'Postmark answers carry no rate-limit headers' },
    retries: { noneBecause: 'Postmark has no idempotency key; the key travels in Metadata for webhooks' },
    batch: {
      request: (n) => ({
        to: Array.from({ length: n }, (_, i) => `r${i}@example.com`),
        separately: true,
        subject: 'Campaign',
        text: 'Hello',
      }),
      maximum: 500,
      callSizes: () => sim.requests.map((r) => (r.body as unknown[]).length),
    },
    failures: [
      { name: '401 ErrorCode 10', arm: () => sim.fail('bad_token'), kind: 'auth', code: 'GW_PROVIDER_AUTH' },
      {
        name: '422/401 sender signature of the provider option not confirmed',
        arm: () => sim.fail('unconfirmed_sender'),
        kind: 'misconfigured',
        code: 'GW_PROVIDER_MISCONFIGURED',
      },
      { name: '422/405 not allowed to send', arm: () => sim.fail('not_allowed'), kind: 'quota', code: 'GW_PROVIDER_QUOTA' },
      { name: '422/412 account pending', arm: () => sim.fail('pending'), kind: 'quota', code: 'GW_PROVIDER_QUOTA' },
      { name: '429', arm: () => sim.fail('rate_limit'), kind: 'rate_limited', retryAfterMs: [60_000, 60_000] },
      { name: '422/100 maintenance', arm: () => sim.fail('maintenance'), kind: 'transient', code: 'GW_PROVIDER_TRANSIENT' },
      { name: '500', arm: () => sim.fail('server_error'), kind: 'transient', code: 'GW_PROVIDER_TRANSIENT' },
      { name: '503 text body', arm: () => sim.fail('unavailable'), kind: 'transient', code: 'GW_PROVIDER_TRANSIENT' },
      {
        name: 'inactive recipient 422/406',
        arm: () => sim.deactivate('ada@example.com'),
        kind: 'invalid_request',
        code: 'GW_PROVIDER_REJECTED',
      },
      { name: 'dropped connection', arm: () => sim.fail('drop'), kind: 'unknown_outcome' },
    ],
    hang: () => sim.fail('hang'),
    probeFailure: { arm: () => sim.fail('bad_token'), kind: 'auth' },
    reset: () => sim.reset(),
    logs: lines,
    close: () => sim.close(),
  };
});
