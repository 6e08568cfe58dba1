/** Reply fetching against a real Dovecot: thread linking, flags, cursor, UIDVALIDITY, failures. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replyFetchingResult } from '../../../src/capabilities/reply-fetching.js';
import { GatewayError } from '../../../src/core/errors.js';
import { probeCtx, testDeps } from '../../helpers/context.js';
import { dovecotSkipReason, startDovecot, type Dovecot } from '../../harness/dovecot.js';
import { fetchReplies, imapOptionsFor, makeImap } from './make-imap.js';
import { startImapProxy, type ImapProxy } from './imap-proxy.js';
import {
  AUTO_REPLY,
  BOUNCE,
  numbered,
  ORIGINAL,
  ORIGINAL_2,
  ORIGINAL_3,
  recordOriginals,
  REPLY,
  REPLY_IN_THREAD,
  SUBJECT_ONLY_REPLY,
  UNRELATED,
} from './threads.js';

async function failure(p: Promise<unknown>): Promise<GatewayError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(GatewayError);
  return e as GatewayError;
}

describe.skipIf(dovecotSkipReason())('imap: reply fetching from Dovecot', () => {
  let dovecot: Dovecot;
  let proxy: ImapProxy;
  const opts = (extra = {}) => imapOptionsFor(dovecot.port, dovecot.user, dovecot.pass, extra);

  beforeAll(async () => {
    dovecot = await startDovecot();
    proxy = await startImapProxy(dovecot.port);
    for (const m of [REPLY, REPLY_IN_THREAD, AUTO_REPLY, BOUNCE, UNRELATED, SUBJECT_ONLY_REPLY])
      await dovecot.deliver(m, { mailbox: 'Threads' });
  });
  afterAll(async () => {
    await proxy?.close();
    await dovecot?.close();
  });

  it('links replies to sent mail, flags auto-replies and bounces, parses every field', async () => {
    const { provider, deps } = makeImap(opts({ mailbox: 'Threads' }));
    await recordOriginals(deps.sentMail);
    const result = await fetchReplies(provider, {});
    expect(replyFetchingResult.safeParse(result).success).toBe(true);
    expect(result.hasMore).toBe(false);
    const byId = new Map(result.messages.map((m) => [m.messageId, m]));
    expect(result.messages.map((m) => m.uid)).toEqual([1, 2, 3, 4, 5, 6]);

    const reply = byId.get('<reply-1@example.com>')!;
    expect(reply).toMatchObject({
      from: { address: 'lead@example.com', name: 'Lead Person' },
      to: [{ address: 'sender@gw.example', name: 'Gateway' }],
      cc: [{ address: 'boss@example.com' }],
      subject: 'Re: Quarterly offer',
      date: '2025-06-10T10:00:00.000Z',
      inReplyTo: ORIGINAL.messageId,
      references: [ORIGINAL.messageId],
      replyTo: { messageId: ORIGINAL.messageId, matchedBy: 'in-reply-to' },
      isAutoReply: false,
      isBounce: false,
    });
    expect(reply.text?.trim()).toBe("Sounds good, let's talk.");
    expect(reply.html).toContain("<p>Sounds good, let's talk.</p>");
    expect(reply.attachments).toEqual([{ filename: 'needs.csv', contentType: 'text/csv', size: 8 }]);

    expect(byId.get('<reply-2@example.com>')).toMatchObject({
      references: [ORIGINAL.messageId, '<reply-1@example.com>'],
      replyTo: { messageId: ORIGINAL.messageId, matchedBy: 'references' },
      isAutoReply: false,
    });
    expect(byId.get('<reply-3@example.org>')).toMatchObject({
      replyTo: { messageId: ORIGINAL_3.messageId, matchedBy: 'subject' },
      isAutoReply: false,
    });
    // Automatic mail keeps the link it carries, flagged, and never gets the subject fallback.
    expect(byId.get('<ooo-1@example.com>')).toMatchObject({
      isAutoReply: true,
      isBounce: false,
      replyTo: { messageId: ORIGINAL.messageId, matchedBy: 'in-reply-to' },
    });
    expect(byId.get('<bounce-1@mx.example.net>')).toMatchObject({
      isBounce: true,
      isAutoReply: false,
      replyTo: { messageId: ORIGINAL_2.messageId, matchedBy: 'references' },
    });
    const unrelated = byId.get('<news-1@shop.example>')!;
    expect(unrelated.replyTo).toBeUndefined();
    expect([unrelated.isAutoReply, unrelated.isBounce]).toEqual([false, false]);
  });

  it('resumes from the cursor in state across new provider instances: no duplicates, no gaps', async () => {
    for (let i = 1; i <= 5; i++) await dovecot.deliver(numbered(i), { mailbox: 'Cursor' });
    const deps = testDeps();
    const seen: number[] = [];
    const first = await fetchReplies(makeImap(opts({ mailbox: 'Cursor' }), deps).provider, { limit: 2 });
    expect([first.messages.map((m) => m.uid), first.hasMore]).toEqual([[1, 2], true]);
    seen.push(...first.messages.map((m) => m.uid));
    // A "restart": a new instance sharing the same state.
    const second = await fetchReplies(makeImap(opts({ mailbox: 'Cursor' }), deps).provider, { limit: 2 });
    expect([second.messages.map((m) => m.uid), second.hasMore]).toEqual([[3, 4], true]);
    seen.push(...second.messages.map((m) => m.uid));
    for (let i = 6; i <= 7; i++) await dovecot.deliver(numbered(i), { mailbox: 'Cursor' });
    const third = await fetchReplies(makeImap(opts({ mailbox: 'Cursor' }), deps).provider, { limit: 50 });
    seen.push(...third.messages.map((m) => m.uid));
    expect(third.hasMore).toBe(false);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(third.messages.map((m) => m.messageId)).toEqual(['<msg-5@example.com>', '<msg-6@example.com>', '<msg-7@example.com>']);
    const empty = await fetchReplies(makeImap(opts({ mailbox: 'Cursor' }), deps).provider, {});
    expect(empty.messages).toEqual([]);
    expect(empty.cursor).toBe(third.cursor);
  });

  it('a request cursor overrides the stored one, and never moves the stored cursor back', async () => {
    const { provider, deps } = makeImap(opts({ mailbox: 'Cursor' }));
    const all = await fetchReplies(provider, {});
    expect(all.messages).toHaveLength(7);
    const again = await fetchReplies(provider, { cursor: all.cursor.replace(/\.\d+$/, '.5') });
    expect(again.messages.map((m) => m.uid)).toEqual([6, 7]);
    expect(await deps.state.get('cursor:Cursor')).toMatchObject({ lastUid: 7 });
    const bad = await failure(fetchReplies(provider, { cursor: 'page-2' }));
    expect(bad.code).toBe('GW_INVALID_REQUEST');
  });

  it('UIDVALIDITY change: the cursor resets, the mailbox is read again from the start, and it is logged', async () => {
    await dovecot.deliver(numbered(100), { mailbox: 'Reset' });
    await dovecot.deliver(numbered(101), { mailbox: 'Reset' });
    const { provider, deps, logs } = makeImap(opts({ mailbox: 'Reset' }));
    const before = await fetchReplies(provider, {});
    expect(before.messages).toHaveLength(2);
    await dovecot.destroyMailbox('Reset');
    await dovecot.deliver(numbered(102), { mailbox: 'Reset' });
    const after = await fetchReplies(provider, {});
    expect(after.messages.map((m) => [m.uid, m.messageId])).toEqual([[1, '<msg-102@example.com>']]);
    expect(after.cursor.split('.')[1]).not.toBe(before.cursor.split('.')[1]);
    expect(await deps.state.get('cursor:Reset')).toEqual({ uidValidity: after.cursor.split('.')[1], lastUid: 1 });
    expect(logs.join('\n')).toContain('UIDVALIDITY changed');
  });

  it('a wrong password is refused by Dovecot: auth, and the password is not in the error', async () => {
    const wrong = 'Wrong-Pass-123';
    const { provider } = makeImap(opts({ mailbox: 'Threads', auth: { user: dovecot.user, pass: wrong } }));
    const e = await failure(fetchReplies(provider, {}));
    expect([e.code, e.kind]).toEqual(['GW_PROVIDER_AUTH', 'auth']);
    expect(JSON.stringify(e.toJSON())).not.toContain(wrong);
    const p = await failure(provider.probe!(probeCtx()));
    expect(p.kind).toBe('auth');
  });

  it('connection dropped in the middle of FETCH: transient, and the cursor stays where it was', async () => {
    const deps = testDeps();
    const { provider } = makeImap(imapOptionsFor(proxy.port, dovecot.user, dovecot.pass, { mailbox: 'Threads' }), deps);
    const firstTwo = await fetchReplies(provider, { limit: 2 });
    const stored = await deps.state.get('cursor:Threads');
    expect(stored).toMatchObject({ lastUid: 2 });
    proxy.mode = 'drop-mid-fetch';
    try {
      const e = await failure(fetchReplies(provider, {}));
      expect([e.code, e.kind]).toEqual(['GW_PROVIDER_TRANSIENT', 'transient']);
      expect(proxy.drops).toBeGreaterThan(0);
    } finally {
      proxy.mode = 'pass';
    }
    expect(await deps.state.get('cursor:Threads')).toEqual(stored);
    const resumed = await fetchReplies(provider, {});
    expect(resumed.messages.map((m) => m.uid)).toEqual([3, 4, 5, 6]);
    expect(firstTwo.messages.map((m) => m.uid)).toEqual([1, 2]);
  });

  it('server stopped: transient; after a restart the fetch resumes', async () => {
    const deps = testDeps();
    const { provider } = makeImap(opts({ mailbox: 'Threads' }), deps);
    await fetchReplies(provider, { limit: 3 });
    await dovecot.stop();
    try {
      const e = await failure(fetchReplies(provider, {}));
      expect(e.kind).toBe('transient');
    } finally {
      await dovecot.restart();
    }
    const resumed = await fetchReplies(provider, {});
    expect(resumed.messages.map((m) => m.uid)).toEqual([4, 5, 6]);
  });

  it('probe: LOGIN and STATUS give message and unseen counts', async () => {
    const { provider } = makeImap(opts({ mailbox: 'Threads' }));
    const probe = await provider.probe!(probeCtx());
    expect(probe?.metadata).toEqual({ mailbox: 'Threads', messages: 6, unseen: 6 });
    expect(probe?.warnings).toHaveLength(1);
  });

  it('a mailbox that does not exist: invalid_request', async () => {
    const { provider } = makeImap(opts());
    const e = await failure(fetchReplies(provider, { mailbox: 'NoSuchFolder' }));
    expect([e.code, e.kind]).toEqual(['GW_PROVIDER_REJECTED', 'invalid_request']);
  });
});
