import { emailSending } from '../../../src/capabilities/email-sending.js';
import { mailgunType } from '../../../src/providers/mailgun/index.js';
import { adapterContract } from '../../contract/adapter-contract.js';
import { captureLogger, testDeps } from '../../helpers/context.js';
import { MG_DOMAIN, MG_KEY, startMailgunSim } from '../../simulators/mailgun.js';

adapterContract('mailgun', async () => {
  const sim = await startMailgunSim();
  const { logger, lines } = captureLogger();
  const provider = mailgunType.create(
    'mailgun_contract',
    mailgunType.options.parse({ apiKey: MG_KEY, domain: MG_DOMAIN, baseUrl: sim.url, from: 'News <news@mg.example.com>' }),
    testDeps(logger),
  );
  return {
    provider,
    capability: emailSending,
    request: () => ({ to: 'ada@example.com', subject: 'Hello', text: 'Hi Ada', html: '<p>Hi Ada</p>' }),
    secrets: [MG_KEY, Buffer.from(`api:${MG_KEY}`).toString('base64')],
    rateLimitOnSuccess: { noneBecause: 'Mailgun documents no rate-limit headers' },
    retries: { noneBecause: 'Mailgun has no idempotency key; the key travels as v:gateway_key for events' },
    batch: {
      request: (n) => ({
        to: Array.from({ length: n }, (_, i) => `r${i}@example.com`),
        separately: true,
        subject: 'Campaign',
        text: 'Hello',
      }),
      maximum: 1000,
      callSizes: () => sim.sent().map((f) => f.fields.filter(([name]) => name === 'to').length),
    },
    failures: [
      { name: '401 Forbidden (text)', arm: () => sim.fail('bad_key'), kind: 'auth', code: 'GW_PROVIDER_AUTH' },
      {
        name: '404 Domain not found (wrong region)',
        arm: () => sim.fail('wrong_region'),
        kind: 'misconfigured',
        code: 'GW_PROVIDER_MISCONFIGURED',
      },
      {
        name: '420 domain sending cap',
        arm: () => sim.fail('domain_cap'),
        kind: 'quota',
        code: 'GW_PROVIDER_QUOTA',
        retryAfterMs: [7_190_000, 7_200_000],
      },
      { name: '402', arm: () => sim.fail('payment'), kind: 'quota', code: 'GW_PROVIDER_QUOTA' },
      { name: '429 Retry-After', arm: () => sim.fail('rate_limit'), kind: 'rate_limited', retryAfterMs: [30_000, 30_000] },
      { name: '500', arm: () => sim.fail('server_error'), kind: 'transient', code: 'GW_PROVIDER_TRANSIENT' },
      { name: '502 HTML', arm: () => sim.fail('bad_gateway'), kind: 'transient', code: 'GW_PROVIDER_TRANSIENT' },
      { name: 'dropped connection', arm: () => sim.fail('drop'), kind: 'unknown_outcome' },
    ],
    hang: () => sim.fail('hang'),
    probeFailure: { arm: () => sim.fail('bad_key'), kind: 'auth' },
    reset: () => sim.reset(),
    logs: lines,
    close: () => sim.close(),
  };
});
