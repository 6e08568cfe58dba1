/** The shared adapter contract for the three webhook-based types, against the Standard Webhooks receiver. */
import { crmSync } from '../../../src/capabilities/crm-sync.js';
import { socialPostingLinkedin } from '../../../src/capabilities/social-posting.js';
import { webhookDispatch } from '../../../src/capabilities/webhook-dispatch.js';
import type { Capability } from '../../../src/capabilities/capability.js';
import type { Provider } from '../../../src/core/provider.js';
import { createCrmWebhookProvider } from '../../../src/providers/crm-webhook/adapter.js';
import { crmWebhookOptions } from '../../../src/providers/crm-webhook/options.js';
import { createSocialWebhookProvider } from '../../../src/providers/social-webhook/adapter.js';
import { socialWebhookOptions } from '../../../src/providers/social-webhook/options.js';
import { createWebhookProvider } from '../../../src/providers/webhook/adapter.js';
import type { WebhookOptions } from '../../../src/providers/webhook/options.js';
import type { ProviderDeps } from '../../../src/providers/types.js';
import { adapterContract, type ContractHarness } from '../../contract/adapter-contract.js';
import { captureLogger, testDeps } from '../../helpers/context.js';
import { start } from '../../simulators/webhook-receiver.js';
import { closedPort, newSecret, PATH_TOKEN, receiverOptions } from './fixtures.js';

function harness<O extends WebhookOptions>(
  capability: Capability,
  parse: (raw: WebhookOptions) => O,
  make: (options: O, deps: ProviderDeps) => Provider,
  request: () => unknown,
): () => Promise<ContractHarness> {
  return async () => {
    const secret = newSecret();
    const receiver = await start({ secrets: [secret] });
    const { logger, lines } = captureLogger();
    const options = parse(receiverOptions(receiver.url, [secret]));
    const goodUrl = options.url;
    const deadPort = await closedPort();
    return {
      provider: make(options, testDeps(logger)),
      capability,
      request,
      secrets: [secret, secret.slice('whsec_'.length), PATH_TOKEN],
      rateLimitOnSuccess: { noneBecause: 'Standard Webhooks receivers send no rate-limit headers' },
      batch: { noneBecause: 'one signed delivery per request' },
      retries: { arrivals: () => receiver.arrivals },
      failures: [
        { name: '410 Gone', arm: () => receiver.fail('gone'), kind: 'misconfigured', code: 'GW_PROVIDER_GONE' },
        {
          name: '429 Retry-After: 30',
          arm: () => receiver.fail('rate_limit', { retryAfter: 30 }),
          kind: 'rate_limited',
          code: 'GW_PROVIDER_RATE_LIMITED',
          retryAfterMs: [30_000, 30_000],
        },
        { name: '500', arm: () => receiver.fail('server_error'), kind: 'transient', code: 'GW_PROVIDER_TRANSIENT' },
        { name: '502', arm: () => receiver.fail('bad_gateway'), kind: 'transient', code: 'GW_PROVIDER_TRANSIENT' },
        { name: '503', arm: () => receiver.fail('unavailable'), kind: 'transient', code: 'GW_PROVIDER_TRANSIENT' },
        { name: '504', arm: () => receiver.fail('gateway_timeout'), kind: 'transient', code: 'GW_PROVIDER_TRANSIENT' },
        {
          name: '307 redirect (not followed): the configured URL is wrong',
          arm: () => receiver.fail('redirect'),
          kind: 'misconfigured',
          code: 'GW_PROVIDER_MISCONFIGURED',
        },
        {
          name: '404: no endpoint at the configured URL',
          arm: () => receiver.fail('not_found'),
          kind: 'misconfigured',
          code: 'GW_PROVIDER_MISCONFIGURED',
        },
        { name: '400', arm: () => receiver.fail('rejected'), kind: 'invalid_request', code: 'GW_PROVIDER_REJECTED' },
        {
          name: 'receiver holds another secret (401)',
          arm: () => receiver.setSecrets([newSecret()]),
          kind: 'auth',
          code: 'GW_PROVIDER_AUTH',
        },
        { name: 'connection dropped after send', arm: () => receiver.fail('drop'), kind: 'unknown_outcome', code: 'GW_UNKNOWN_OUTCOME' },
        {
          name: 'nothing listens (refused before send)',
          arm: () => void (options.url = `http://127.0.0.1:${deadPort}/x`),
          kind: 'transient',
          code: 'GW_PROVIDER_TRANSIENT',
        },
        {
          name: 'a port the Fetch standard blocks (nothing sent)',
          arm: () => void (options.url = 'http://127.0.0.1:6000/x'),
          kind: 'misconfigured',
          code: 'GW_PROVIDER_MISCONFIGURED',
        },
      ],
      hang: () => receiver.fail('hang'),
      hangKinds: ['unknown_outcome'],
      probeFailure: { arm: () => void (options.url = `http://127.0.0.1:${deadPort}/x`), kind: 'transient' },
      reset: () => {
        receiver.reset();
        options.url = goodUrl;
      },
      logs: lines,
      close: () => receiver.close(),
    };
  };
}

adapterContract(
  'webhook',
  harness(
    webhookDispatch,
    (o) => o,
    (o, d) => createWebhookProvider('hook', o, d),
    () => ({ event: 'contact.created', payload: { email: 'a@example.com' } }),
  ),
);

adapterContract(
  'crm_webhook',
  harness(
    crmSync,
    (o) => crmWebhookOptions.parse(o),
    (o, d) => createCrmWebhookProvider('crm_hook', o, d),
    () => ({
      mergeOn: ['email'],
      records: [{ fields: { email: 'a@example.com', name: 'A' } }, { fields: { email: 'b@example.com' } }],
    }),
  ),
);

adapterContract(
  'social_webhook',
  harness(
    socialPostingLinkedin,
    (o) => socialWebhookOptions.parse(o),
    (o, d) => createSocialWebhookProvider('webhook_linkedin', o, d),
    () => ({
      text: 'Posted through a hook',
      link: 'https://example.com/p',
    }),
  ),
);
