/** The shared adapter contract for imap: Dovecot behind a proxy that misbehaves on demand. */
import { describe } from 'vitest';
import { replyFetching } from '../../../src/capabilities/reply-fetching.js';
import { adapterContract } from '../../contract/adapter-contract.js';
import { dovecotSkipReason, startDovecot } from '../../harness/dovecot.js';
import { startImapProxy } from './imap-proxy.js';
import { imapOptionsFor, makeImap } from './make-imap.js';
import { numbered, REPLY } from './threads.js';

describe.skipIf(dovecotSkipReason())('imap against Dovecot', () => {
  adapterContract('imap', async () => {
    const dovecot = await startDovecot();
    for (const m of [REPLY, numbered(1), numbered(2)]) await dovecot.deliver(m);
    const proxy = await startImapProxy(dovecot.port);
    const { provider, logs } = makeImap(imapOptionsFor(proxy.port, dovecot.user, dovecot.pass));
    return {
      provider,
      capability: replyFetching,
      // A cursor in the request: every call reads the whole mailbox again.
      request: () => ({ mailbox: 'INBOX', limit: 10, cursor: 'imap1.0.0' }),
      secrets: [dovecot.pass, Buffer.from(`\0${dovecot.user}\0${dovecot.pass}`).toString('base64')],
      rateLimitOnSuccess: { noneBecause: 'IMAP has no rate-limit signal on a successful fetch' },
      retries: { noneBecause: 'reply_fetching reads a mailbox; nothing is sent' },
      batch: { noneBecause: 'reply_fetching reads a mailbox page, not a batch of items' },
      failures: [
        {
          name: 'login refused (NO [AUTHENTICATIONFAILED])',
          arm: () => void (proxy.mode = 'refuse-login'),
          kind: 'auth',
          code: 'GW_PROVIDER_AUTH',
        },
        {
          name: 'throttled (BAD Request is throttled, backoff 200 ms)',
          arm: () => void (proxy.mode = 'throttle'),
          kind: 'rate_limited',
          code: 'GW_PROVIDER_RATE_LIMITED',
          retryAfterMs: [200, 200],
        },
        {
          name: 'connection dropped mid-FETCH',
          arm: () => void (proxy.mode = 'drop-mid-fetch'),
          kind: 'transient',
          code: 'GW_PROVIDER_TRANSIENT',
        },
        { name: 'connection closed at once', arm: () => void (proxy.mode = 'refuse'), kind: 'transient', code: 'GW_PROVIDER_TRANSIENT' },
      ],
      hang: () => void (proxy.mode = 'hang'),
      probeFailure: { arm: () => void (proxy.mode = 'refuse-login'), kind: 'auth' },
      reset: () => void (proxy.mode = 'pass'),
      logs,
      close: async () => {
        await proxy.close();
        await dovecot.close();
      },
    };
  });
});
