import { emailSending } from '../../../src/capabilities/email-sending.js';
import { sesType } from '../../../src/providers/ses/index.js';
import { adapterContract } from '../../contract/adapter-contract.js';
import { captureLogger, testDeps } from '../../helpers/context.js';
import { SES_KEY_ID, SES_REGION, SES_SECRET, startSesSim } from '../../simulators/ses.js';

adapterContract('ses', async () => {
  const sim = await startSesSim();
  const { logger, lines } = captureLogger();
  const provider = sesType.create(
    'ses_contract',
    sesType.options.parse({
      region: SES_REGION,
      endpoint: sim.url,
      accessKeyId: SES_KEY_ID,
      secretAccessKey: SES_SECRET,
      from: 'News <news@example.com>',
    }),
    testDeps(logger),
  );
  return {
    provider,
    capability: emailSending,
    request: () => ({ to: 'ada@example.org', subject: 'Hello', text: 'Hi Ada', html: '<p>Hi Ada</p>' }),
    secrets: [SES_SECRET],
    rateLimitOnSuccess: { noneBecause: 'SES answers carry no rate-limit headers; the probe reads the 24-hour quota' },
    retries: { noneBecause: 'SES has no idempotency key; the key travels as the gateway_key email tag' },
    batch: { noneBecause: "SES's bulk endpoint takes templates only: a message sent separately is one SendEmail per copy" },
    failures: [
      { name: '403 UnrecognizedClientException', arm: () => sim.fail('unrecognized'), kind: 'auth', code: 'GW_PROVIDER_AUTH' },
      { name: '429 Maximum sending rate exceeded', arm: () => sim.fail('throttle'), kind: 'rate_limited', retryAfterMs: [1_000, 1_000] },
      { name: '429 Daily message quota exceeded', arm: () => sim.fail('daily_quota'), kind: 'quota', code: 'GW_PROVIDER_QUOTA' },
      { name: '400 SendingPausedException', arm: () => sim.fail('paused'), kind: 'quota', code: 'GW_PROVIDER_QUOTA' },
      { name: '400 AccountSuspendedException', arm: () => sim.fail('suspended'), kind: 'quota', code: 'GW_PROVIDER_QUOTA' },
      {
        name: '400 MailFromDomainNotVerifiedException (the from option)',
        arm: () => sim.fail('mail_from'),
        kind: 'misconfigured',
        code: 'GW_PROVIDER_MISCONFIGURED',
      },
      { name: '404 configuration set', arm: () => sim.fail('no_config_set'), kind: 'misconfigured', code: 'GW_PROVIDER_MISCONFIGURED' },
      { name: '500 InternalServiceErrorException', arm: () => sim.fail('internal'), kind: 'transient', code: 'GW_PROVIDER_TRANSIENT' },
      { name: 'sandbox: unverified recipient', arm: () => sim.setSandbox(true), kind: 'invalid_request', code: 'GW_PROVIDER_REJECTED' },
      { name: 'dropped connection', arm: () => sim.fail('drop'), kind: 'unknown_outcome' },
    ],
    hang: () => sim.fail('hang'),
    probeFailure: { arm: () => sim.fail('paused_account', { path: '/v2/email/account' }), kind: 'quota' },
    reset: () => sim.reset(),
    logs: lines,
    close: async () => {
      await provider.close?.();
      await sim.close();
    },
  };
});
