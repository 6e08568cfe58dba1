/** What the server receives: headers, body, attachments, envelope, Message-ID stability. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../../src/core/errors.js';
import { parseRequest } from '../../../src/capabilities/capability.js';
import { emailSending, type EmailSendingResult } from '../../../src/capabilities/email-sending.js';
import { createProviderChain } from '../../../src/core/build.js';
import { invokeCtx } from '../../helpers/context.js';
import { makeSmtp, PASS, plainOptions, USER } from './make-smtp.js';
import { startSmtpServer, type TestSmtpServer } from './smtp-test-server.js';

describe('smtp: sending to a real SMTP server', () => {
  let server: TestSmtpServer;
  let smtp: ReturnType<typeof makeSmtp>;

  beforeAll(async () => {
    server = await startSmtpServer({ tls: 'none', auth: { user: USER, pass: PASS } });
    smtp = makeSmtp(plainOptions(server.port));
  });
  afterAll(async () => {
    await smtp.provider.close?.();
    await server.close();
  });
  beforeEach(() => {
    server.received.length = 0;
    server.behaviour = {};
  });

  const send = (req: unknown, key = 'key-1') =>
    smtp.provider.invoke(
      req,
      invokeCtx({ idempotencyKey: key, capability: 'email_sending', provider: 'smtp_test' }),
    ) as Promise<EmailSendingResult>;

  it('delivers text, html, cc, bcc, reply-to, custom headers and a base64 attachment', async () => {
    const pdf = Buffer.from('%PDF-1.4 fake pdf bytes');
    const result = await send({
      to: ['a@example.com', 'b@example.com'],
      cc: 'c@example.com',
      bcc: ['hidden@example.com'],
      replyTo: 'replies@gw.example',
      subject: 'Quarterly offer',
      text: 'Plain body',
      html: '<p>HTML body</p>',
      headers: { 'X-Campaign': 'q3-launch' },
      attachments: [{ filename: 'offer.pdf', content: pdf.toString('base64'), contentType: 'application/pdf' }],
    });
    expect(result.accepted.sort()).toEqual(['a@example.com', 'b@example.com', 'c@example.com', 'hidden@example.com']);
    expect(result.rejected).toEqual([]);
    expect(result.response).toMatch(/^250/);
    expect(server.received).toHaveLength(1);
    const mail = server.received[0]!;
    expect(mail.from).toBe('sender@gw.example');
    expect(mail.to.sort()).toEqual(['a@example.com', 'b@example.com', 'c@example.com', 'hidden@example.com']);
    const p = mail.parsed;
    expect(p.messageId).toBe(result.messageId);
    expect(p.subject).toBe('Quarterly offer');
    expect(p.text?.trim()).toBe('Plain body');
    expect(p.html).toContain('<p>HTML body</p>');
    expect(p.headers.get('x-campaign')).toBe('q3-launch');
    expect(p.replyTo?.value[0]?.address).toBe('replies@gw.example');
    expect(p.from?.value[0]).toEqual({ address: 'sender@gw.example', name: 'Gateway' });
    // Bcc is in the envelope, never in the headers.
    expect(mail.raw).not.toMatch(/^bcc:/im);
    expect(mail.raw).not.toContain('hidden@example.com');
    expect(p.attachments).toHaveLength(1);
    expect(p.attachments[0]!.filename).toBe('offer.pdf');
    expect(p.attachments[0]!.contentType).toBe('application/pdf');
    expect(Buffer.compare(p.attachments[0]!.content, pdf)).toBe(0);
  });

  it('derives the Message-ID from the idempotency key: same key, same id; other key, other id', async () => {
    const req = { to: 'a@example.com', subject: 'Hi', text: 'x' };
    const first = await send(req, 'idem-42');
    const again = await send(req, 'idem-42');
    const other = await send(req, 'idem-43');
    expect(first.messageId).toMatch(/^<gw\.[0-9a-f]{32}@gw\.example>$/);
    expect(again.messageId).toBe(first.messageId);
    expect(other.messageId).not.toBe(first.messageId);
    expect(server.received.map((m) => m.parsed.messageId)).toEqual([first.messageId, first.messageId, other.messageId]);
  });

  it('records each sent Message-ID in the sent-mail log for reply linking', async () => {
    const result = await send({ to: ['a@example.com'], subject: 'Linked', text: 'x' }, 'idem-linked');
    const record = await smtp.deps.sentMail.findAny([result.messageId]);
    expect(record).toMatchObject({ messageId: result.messageId, subject: 'Linked', to: ['a@example.com'], provider: 'smtp_test' });
  });

  it('a request `from` overrides the default sender (and the Message-ID domain)', async () => {
    const result = await send({ to: 'a@example.com', from: 'other@brand.example', subject: 'Hi', text: 'x' });
    expect(server.received[0]!.from).toBe('other@brand.example');
    expect(result.messageId).toMatch(/@brand\.example>$/);
  });

  it('reports recipients refused per address while the others get the message', async () => {
    server.behaviour = { rcpt: { 'gone@example.com': { code: 550, message: '5.1.1 User unknown' } } };
    const result = await send({ to: ['a@example.com', 'gone@example.com'], subject: 'Hi', text: 'x' });
    expect(result.accepted).toEqual(['a@example.com']);
    expect(result.rejected).toEqual(['gone@example.com']);
    expect(server.received[0]!.to).toEqual(['a@example.com']);
  });

  it('550 for the only recipient: invalid_request naming the recipient, nothing received', async () => {
    server.behaviour = { rcpt: { 'gone@example.com': { code: 550, message: '5.1.1 User unknown' } } };
    const error = await send({ to: 'gone@example.com', subject: 'Hi', text: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    const ge = error as GatewayError;
    expect([ge.code, ge.kind, ge.status]).toEqual(['GW_PROVIDER_REJECTED', 'invalid_request', 550]);
    expect(ge.details?.rejected).toEqual([{ recipient: 'gone@example.com', status: 550, reply: '550 5.1.1 User unknown' }]);
    expect(server.received).toHaveLength(0);
  });

  it('452 too many recipients for every recipient: transient', async () => {
    server.behaviour = { rcpt: { 'a@example.com': { code: 452, message: '4.5.3 Too many recipients' } } };
    const error = (await send({ to: 'a@example.com', subject: 'Hi', text: 'x' }).catch((e: unknown) => e)) as GatewayError;
    expect([error.code, error.kind, error.status]).toEqual(['GW_PROVIDER_TRANSIENT', 'transient', 452]);
  });

  it('separately: one message per address, each its own envelope and Message-ID; a refused address fails alone', async () => {
    server.behaviour = { rcpt: { 'gone@example.com': { code: 550, message: '5.1.1 No such user' } } };
    const result = await send(
      { to: ['a@example.com', 'gone@example.com', 'b@example.com'], separately: true, subject: 'Offer', text: 'Hi' },
      'camp-1',
    );
    expect(result.messages!.map((m) => [m.to, m.error?.code ?? 'sent'])).toEqual([
      ['a@example.com', 'sent'],
      ['gone@example.com', 'GW_PROVIDER_REJECTED'],
      ['b@example.com', 'sent'],
    ]);
    expect(server.received.map((m) => m.to)).toEqual([['a@example.com'], ['b@example.com']]);
    const ids = server.received.map((m) => m.parsed.messageId);
    expect(new Set(ids).size).toBe(2);
    expect(ids).toEqual([result.messages![0]!.messageId, result.messages![2]!.messageId]);
    expect([result.accepted, result.rejected, result.failed]).toEqual([['a@example.com', 'b@example.com'], ['gone@example.com'], 1]);
  });

  it('an invalid request is refused by the chain before the adapter opens a connection', async () => {
    const chain = createProviderChain({
      capability: 'email_sending',
      sideEffects: true,
      providers: [smtp.provider],
      validate: (r) => parseRequest(emailSending, r),
    });
    const error = (await chain.invoke({ to: 'not-an-address', subject: 'Hi', text: 'x' }).catch((e: unknown) => e)) as GatewayError;
    expect(error.code).toBe('GW_INVALID_REQUEST');
    expect(error.details?.problems).toEqual([{ path: 'to', message: expect.any(String) }]);
    expect(chain.providers[0]!.status().toJSON()).toMatchObject({ successCount: 0, failureCount: 0 });
    expect(server.received).toHaveLength(0);
  });
});

describe('smtp: large messages and OAuth2', () => {
  it('streams a 3 MB attachment intact (the lazily started data stream keeps backpressure)', async () => {
    const server = await startSmtpServer({ tls: 'none', auth: { user: USER, pass: PASS } });
    const { provider } = makeSmtp(plainOptions(server.port));
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    await provider.invoke(
      {
        to: 'a@example.com',
        subject: 'Big',
        text: 'see attachment',
        attachments: [{ filename: 'big.bin', content: big.toString('base64') }],
      },
      invokeCtx({ capability: 'email_sending', timeoutMs: 20_000 }),
    );
    expect(server.received[0]!.parsed.attachments[0]!.content.equals(big)).toBe(true);
    await provider.close?.();
    await server.close();
  });

  it('logs in with XOAUTH2 using auth.accessToken', async () => {
    const token = 'ya29.test-oauth-token';
    const server = await startSmtpServer({ tls: 'none', auth: { user: USER, pass: 'unused-password' }, oauthToken: token });
    const { provider } = makeSmtp(plainOptions(server.port, { auth: { user: USER, accessToken: token } }));
    const result = (await provider.invoke(
      { to: 'a@example.com', subject: 'OAuth', text: 'x' },
      invokeCtx({ capability: 'email_sending' }),
    )) as EmailSendingResult;
    expect(result.accepted).toEqual(['a@example.com']);
    const bad = makeSmtp(plainOptions(server.port, { auth: { user: USER, accessToken: 'expired-token' } }));
    const e = (await bad.provider
      .invoke({ to: 'a@example.com', subject: 'OAuth', text: 'x' }, invokeCtx({ capability: 'email_sending' }))
      .catch((x: unknown) => x)) as GatewayError;
    expect(e.kind).toBe('auth');
    expect(JSON.stringify(e.toJSON())).not.toContain('expired-token');
    await server.close();
  });
});
