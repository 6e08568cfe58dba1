/** Classification, cursor, error mapping and options of the imap adapter (no server). */
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { isAutoReply, isBounce } from '../../../src/providers/imap/classify.js';
import { decodeCursor, encodeCursor, isAhead } from '../../../src/providers/imap/cursor.js';
import { mapImapError } from '../../../src/providers/imap/errors.js';
import { imapProviderType } from '../../../src/providers/imap/index.js';
import { AUTO_REPLY, BOUNCE, REPLY, UNRELATED } from './threads.js';

const parse = (raw: string) => simpleParser(raw);
const head = (headers: string) => parse(`From: x@y.example\nSubject: Hello\n${headers}\n\nbody\n`);

describe('imap: auto-reply and bounce detection', () => {
  it.each([
    ['Auto-Submitted: auto-replied', true],
    ['Auto-Submitted: auto-generated', true],
    ['Auto-Submitted: no', false],
    ['X-Autoreply: yes', true],
    ['X-Autorespond: vacation', true],
    ['Precedence: auto_reply', true],
    ['Precedence: bulk', true],
    ['Precedence: list', false],
    ['X-Other: 1', false],
  ])('%s -> %s', async (header, expected) => {
    expect(isAutoReply(await head(header))).toBe(expected);
  });

  it('subject heuristics for out-of-office replies', async () => {
    expect(isAutoReply(await parse('From: a@b.c\nSubject: Out of Office: Re: hi\n\nx\n'))).toBe(true);
    expect(isAutoReply(await parse('From: a@b.c\nSubject: Re: hi\n\nx\n'))).toBe(false);
  });

  it('bounces: multipart/report delivery-status, mailer-daemon, null sender with failure subject', async () => {
    expect(isBounce(await parse(BOUNCE))).toBe(true);
    expect(isBounce(await parse('From: MAILER-DAEMON@mx.example\nSubject: x\n\nx\n'))).toBe(true);
    expect(isBounce(await parse('Return-Path: <>\nFrom: a@b.c\nSubject: Delivery Status Notification (Failure)\n\nx\n'))).toBe(true);
    expect(isBounce(await parse('Return-Path: <>\nFrom: a@b.c\nSubject: Out of office\n\nx\n'))).toBe(false);
    for (const m of [REPLY, AUTO_REPLY, UNRELATED]) expect(isBounce(await parse(m))).toBe(false);
  });
});

describe('imap: cursor', () => {
  it('round-trips and refuses foreign cursors', () => {
    const c = { uidValidity: '1795577450', lastUid: 42 };
    expect(decodeCursor(encodeCursor(c), 'p')).toEqual(c);
    expect(() => decodeCursor('imap1.x.1', 'p')).toThrow(expect.objectContaining({ code: 'GW_INVALID_REQUEST' }));
  });
  it('only moves forward, except on a UIDVALIDITY change', () => {
    expect(isAhead({ uidValidity: '1', lastUid: 5 }, { uidValidity: '1', lastUid: 7 })).toBe(false);
    expect(isAhead({ uidValidity: '1', lastUid: 8 }, { uidValidity: '1', lastUid: 7 })).toBe(true);
    expect(isAhead({ uidValidity: '2', lastUid: 1 }, { uidValidity: '1', lastUid: 7 })).toBe(true);
    expect(isAhead({ uidValidity: '2', lastUid: 0 }, undefined)).toBe(true);
  });
});

describe('imap: error mapping', () => {
  const ctx = { provider: 'imap_x', capability: 'reply_fetching', aborted: false, secrets: ['s3cret!pw'] };
  it.each([
    [{ authenticationFailed: true, serverResponseCode: 'AUTHENTICATIONFAILED', responseText: 'bad s3cret!pw' }, 'auth', undefined],
    [{ code: 'ETHROTTLE', throttleReset: 92_415 }, 'rate_limited', 92_415],
    [{ code: 'ETHROTTLE' }, 'rate_limited', 60_000],
    [{ serverResponseCode: 'LIMIT', responseStatus: 'NO' }, 'rate_limited', 60_000],
    [{ mailboxMissing: true }, 'invalid_request', undefined],
    [{ code: 'ECONNREFUSED' }, 'transient', undefined],
    [{ code: 'NoConnection' }, 'transient', undefined],
    [{ code: 'GREETING_TIMEOUT' }, 'transient', undefined],
    [{ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, 'transient', undefined],
  ] as const)('%j -> %s', (err, kind, retryAfterMs) => {
    const e = mapImapError(err, ctx);
    expect(e.kind).toBe(kind);
    expect(e.retryAfterMs).toBe(retryAfterMs);
    expect(JSON.stringify(e.toJSON()) + e.message).not.toContain('s3cret!pw');
  });
  it('an abort is a timeout whatever the error', () => {
    expect(mapImapError({ code: 'NoConnection' }, { ...ctx, aborted: true }).code).toBe('GW_PROVIDER_TIMEOUT');
  });
});

describe('imap: options', () => {
  const p = (o: unknown) => imapProviderType.options.safeParse(o);
  it('presets and TLS defaults', () => {
    const g = p({ preset: 'gmail', auth: { user: 'u', accessToken: 't' } });
    expect(g.success && g.data).toMatchObject({ host: 'imap.gmail.com', port: 993, secure: true, mailbox: 'INBOX', batchSize: 50 });
    const starttls = p({ host: 'h', secure: false, auth: { user: 'u', pass: 'p' } });
    expect(starttls.success && starttls.data).toMatchObject({ port: 143, requireTLS: true });
    expect(p({ host: 'h', secure: false, requireTLS: false }).success).toBe(false);
    expect(p({ host: 'h', batchSize: 0 }).success).toBe(false);
    expect(imapProviderType.secrets).toEqual(['auth.pass', 'auth.accessToken']);
  });
});
