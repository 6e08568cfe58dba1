/** The shared adapter contract, run against smtp-server on loopback (plain text, AUTH). */
import { emailSending } from '../../../src/capabilities/email-sending.js';
import { adapterContract } from '../../contract/adapter-contract.js';
import { makeSmtp, PASS, plainOptions, USER } from './make-smtp.js';
import { startSmtpServer, type Reply } from './smtp-test-server.js';

const BAD_LOGIN: Reply = { code: 535, message: '5.7.8 Authentication credentials invalid' };

adapterContract('smtp', async () => {
  const server = await startSmtpServer({ tls: 'none', auth: { user: USER, pass: PASS } });
  const { provider, logs } = makeSmtp(plainOptions(server.port));
  const arm = (b: typeof server.behaviour) => () => void (server.behaviour = b);
  return {
    provider,
    capability: emailSending,
    request: () => ({ to: 'lead@example.com', subject: 'Hello', text: 'Hi there' }),
    secrets: [PASS, Buffer.from(`\0${USER}\0${PASS}`).toString('base64')],
    rateLimitOnSuccess: { noneBecause: 'SMTP replies carry no rate-limit state; a 421/451 throttle is an error with its wait' },
    retries: { noneBecause: 'SMTP has no webhook-id; the Message-ID is derived from the idempotency key' },
    batch: { noneBecause: 'one message per send' },
    failures: [
      { name: '535 bad credentials', arm: arm({ auth: BAD_LOGIN }), kind: 'auth', code: 'GW_PROVIDER_AUTH' },
      {
        name: '421 throttled at greeting',
        arm: arm({ connect: { code: 421, message: '4.7.0 Too many connections, try again in 30 seconds' } }),
        kind: 'rate_limited',
        code: 'GW_PROVIDER_RATE_LIMITED',
        retryAfterMs: [30_000, 30_000],
      },
      {
        name: '451 local error on MAIL FROM',
        arm: arm({ mailFrom: { code: 451, message: '4.3.0 Local error in processing' } }),
        kind: 'transient',
        code: 'GW_PROVIDER_TRANSIENT',
      },
      {
        name: '451 4.7.1 rate limit on MAIL FROM',
        arm: arm({ mailFrom: { code: 451, message: '4.7.1 Rate limit exceeded' } }),
        kind: 'rate_limited',
        retryAfterMs: [60_000, 60_000],
      },
      {
        name: '550 unknown recipient',
        arm: arm({ rcpt: { 'lead@example.com': { code: 550, message: '5.1.1 User unknown' } } }),
        kind: 'invalid_request',
        code: 'GW_PROVIDER_REJECTED',
      },
      {
        name: '554 after DATA',
        arm: arm({ data: { code: 554, message: '5.7.1 Message rejected as spam' } }),
        kind: 'invalid_request',
        code: 'GW_PROVIDER_REJECTED',
      },
      { name: 'connection dropped after DATA', arm: arm({ dropAfterData: true }), kind: 'unknown_outcome', code: 'GW_UNKNOWN_OUTCOME' },
    ],
    hang: arm({ hangAtConnect: true }),
    hangKinds: ['timeout'],
    probeFailure: { arm: arm({ auth: BAD_LOGIN }), kind: 'auth' },
    reset: arm({}),
    logs,
    close: async () => {
      await provider.close?.();
      await server.close();
    },
  };
});
