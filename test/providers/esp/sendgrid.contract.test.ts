import { emailSending } from '../../../src/capabilities/email-sending.js';
import { sendgridType } from '../../../src/providers/sendgrid/index.js';
import { adapterContract } from '../../contract/adapter-contract.js';
import { captureLogger, testDeps } from '../../helpers/context.js';
import { SG_KEY, startSendGridSim } from '../../simulators/sendgrid.js';

adapterContract('sendgrid', async () => {
  const sim = await startSendGridSim();
  const { logger, lines } = captureLogger();
  const provider = sendgridType.create(
    'sendgrid_contract',
    sendgridType.options.parse({ apiKey: SG_KEY, baseUrl: sim.url, from: 'News <news@example.com>' }),
    testDeps(logger),
  );
  return {
    provider,
    capability: emailSending,
    request: () => ({ to: 'ada@example.com', subject: 'Hello', text: 'Hi Ada', html: '<p>Hi Ada</p>' }),
    secrets: [SG_KEY],
    rateLimitOnSuccess: { window: 'period' },
    retries: { noneBecause: 'SendGrid has no idempotency key; the key travels in custom_args for events' },
    batch: {
      request: (n) => ({
        to: Array.from({ length: n }, (_, i) => `r${i}@example.com`),
        separately: true,
        subject: 'Campaign',
        text: 'Hello',
      }),
      maximum: 1000,
      callSizes: () => sim.requests.map((r) => ((r.body as { personalizations: unknown[] }).personalizations ?? []).length),
    },
    failures: [
      { name: '401 revoked key', arm: () => sim.fail('bad_key'), kind: 'auth', code: 'GW_PROVIDER_AUTH' },
      { name: '401 Maximum credits exceeded', arm: () => sim.fail('no_credits'), kind: 'quota', code: 'GW_PROVIDER_QUOTA' },
      {
        name: '403 unverified sender from the provider option',
        arm: () => sim.fail('unverified_sender'),
        kind: 'misconfigured',
        code: 'GW_PROVIDER_MISCONFIGURED',
      },
      { name: '429 until X-RateLimit-Reset', arm: () => sim.fail('rate_limit'), kind: 'rate_limited', retryAfterMs: [55_000, 61_000] },
      { name: '413 too large', arm: () => sim.fail('too_large'), kind: 'invalid_request', code: 'GW_PROVIDER_REJECTED' },
      { name: '500', arm: () => sim.fail('server_error'), kind: 'transient', code: 'GW_PROVIDER_TRANSIENT' },
      { name: 'dropped connection', arm: () => sim.fail('drop'), kind: 'unknown_outcome' },
    ],
    hang: () => sim.fail('hang'),
    probeFailure: { arm: () => sim.fail('no_scope', { path: '/v3/scopes' }), kind: 'auth' },
    reset: () => sim.reset(),
    logs: lines,
    close: () => sim.close(),
  };
});
