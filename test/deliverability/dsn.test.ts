/**
 * Bounce messages read over IMAP: the RFC 3464 parser on the RFC's own example, and a DSN
 * delivered to a real Dovecot turned into a suppression by a live gateway's reply fetching.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.js';
import { Gateway } from '../../src/gateway/gateway.js';
import { dsnEvents, parseDeliveryStatus } from '../../src/providers/imap/dsn.js';
import { dovecotSkipReason, startDovecot, type Dovecot } from '../harness/dovecot.js';
import { imapOptionsFor } from '../providers/imap/make-imap.js';
import { BOUNCE, ORIGINAL_2, recordOriginals } from '../providers/imap/threads.js';

// RFC 3464 Appendix D (the per-recipient groups as the RFC prints them), a folded diagnostic added.
const REPORT = `Reporting-MTA: dns; cs.utk.edu
Arrival-Date: Fri, 8 Jul 1994 09:21:47 -0400

Original-Recipient: rfc822;louisl@larry.slip.umd.edu
Final-Recipient: rfc822;louisl@larry.slip.umd.edu
Action: failed
Status: 4.0.0
Diagnostic-Code: smtp; 426 connection timed out
Last-Attempt-Date: Thu, 7 Jul 1994 17:15:49 -0400

Final-Recipient: RFC822; Gone@Example.net
Action: failed
Status: 5.1.1 (user unknown)
Diagnostic-Code: smtp; 550 5.1.1 <gone@example.net>...
 User unknown

Final-Recipient: rfc822; slow@example.net
Action: delayed
Status: 4.4.7
`;

describe('RFC 3464 delivery status', () => {
  it('reads every recipient group: address without its type, action, status without comment, unfolded diagnostic', () => {
    expect(parseDeliveryStatus(REPORT)).toEqual([
      { address: 'louisl@larry.slip.umd.edu', action: 'failed', status: '4.0.0', diagnosticCode: 'smtp; 426 connection timed out' },
      {
        address: 'Gone@Example.net',
        action: 'failed',
        status: '5.1.1',
        diagnosticCode: 'smtp; 550 5.1.1 <gone@example.net>... User unknown',
      },
      { address: 'slow@example.net', action: 'delayed', status: '4.4.7' },
    ]);
  });

  it('failed 5.x.x is a hard bounce, failed 4.x.x a soft one, delayed deferred; ids stable per DSN', () => {
    const m = {
      uid: 7,
      messageId: '<dsn-1@mx>',
      to: [],
      cc: [],
      subject: '',
      references: [],
      attachments: [],
      isAutoReply: false,
      isBounce: true,
      date: '1994-07-08T13:21:47.000Z',
      dsnRecipients: parseDeliveryStatus(REPORT),
    };
    expect(dsnEvents(m).map((e) => [e.type, e.eventId])).toEqual([
      ['soft_bounce', '<dsn-1@mx>:louisl@larry.slip.umd.edu:4.0.0'],
      ['hard_bounce', '<dsn-1@mx>:gone@example.net:5.1.1'],
      ['deferred', '<dsn-1@mx>:slow@example.net:4.4.7'],
    ]);
  });
});

describe.skipIf(dovecotSkipReason())('a DSN in Dovecot becomes a suppression', () => {
  let dovecot: Dovecot;
  let gateway: Gateway;

  beforeAll(async () => {
    dovecot = await startDovecot();
    await dovecot.deliver(BOUNCE, { mailbox: 'INBOX' });
    const { config } = validateConfig(
      {
        mode: 'live',
        store: 'memory:',
        logLevel: 'silent',
        monitoring: { intervalSeconds: 0 },
        capabilities: {
          reply_fetching: {
            providers: [{ name: 'imap_inbox', type: 'imap', options: imapOptionsFor(dovecot.port, dovecot.user, dovecot.pass) }],
          },
        },
      },
      {},
    );
    gateway = await Gateway.create({ config, dryRun: false, snapshotIntervalMs: 0 });
    await recordOriginals(gateway.store.sentMail());
  });
  afterAll(async () => {
    await gateway?.close();
    await dovecot?.close();
  });

  it('fetching the mailbox suppresses the bounced address under the provider that sent the original, once', async () => {
    const r = await gateway.invoke<{ messages: { isBounce: boolean; dsnRecipients?: unknown[] }[] }>('reply_fetching', {});
    expect(r.result.messages[0]).toMatchObject({
      isBounce: true,
      dsnRecipients: [{ address: 'gone@example.net', action: 'failed', status: '5.1.1' }],
    });
    const [entry] = await gateway.deliverability.suppressions.lookup(['gone@example.net']);
    expect(entry).toMatchObject({ reason: 'hard_bounce', source: 'smtp_test', detail: '5.1.1' });
    const events = await gateway.deliverability.events.forMessage({ messageIds: [ORIGINAL_2.messageId] });
    expect(events.map((e) => [e.type, e.provider])).toEqual([['hard_bounce', 'smtp_test']]);
    // Fetched again from the start: the same DSN applies nothing twice.
    await gateway.invoke('reply_fetching', { cursor: undefined, limit: 50 }, { idempotencyKey: 'again' });
    expect(await gateway.deliverability.events.forMessage({ messageIds: [ORIGINAL_2.messageId] })).toHaveLength(1);
  });
});
