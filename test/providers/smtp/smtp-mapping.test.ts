/** Error mapping by reply class, reply-text parsing, options and presets (no sockets). */
import { describe, expect, it } from 'vitest';
import { mapSmtpError, type NodemailerError } from '../../../src/providers/smtp/errors.js';
import { smtpProviderType } from '../../../src/providers/smtp/index.js';
import { deriveMessageId, parseSender } from '../../../src/providers/email-sender.js';
import { isThrottleReply, retryAfterFromText } from '../../../src/providers/smtp/smtp-reply.js';

const ctx = { provider: 'smtp_x', capability: 'email_sending', dataStarted: false, aborted: false, secrets: ['hunter22'] };
const map = (e: NodemailerError, over: Partial<typeof ctx> = {}) => mapSmtpError(e, { ...ctx, ...over });
const reply = (code: number, text: string, command = 'MAIL FROM'): NodemailerError => ({
  code: 'EENVELOPE',
  responseCode: code,
  response: `${code} ${text}`,
  command,
});

describe('smtp error mapping', () => {
  it.each([
    [reply(421, '4.7.0 Try again later', 'CONN'), 'rate_limited', 60_000],
    [reply(450, '4.2.0 Mailbox busy'), 'transient', undefined],
    [reply(451, '4.7.1 Please slow down, retry in 90 seconds'), 'rate_limited', 90_000],
    [reply(452, '4.5.3 Too many recipients', 'RCPT TO'), 'transient', undefined],
    [reply(454, '4.3.0 Temporary authentication failure', 'AUTH PLAIN'), 'transient', undefined],
    [reply(535, '5.7.8 Authentication credentials invalid', 'AUTH PLAIN'), 'auth', undefined],
    [reply(530, '5.7.0 Authentication required'), 'auth', undefined],
    [reply(534, '5.7.9 Application-specific password required', 'AUTH PLAIN'), 'auth', undefined],
    [reply(538, '5.7.11 Encryption required'), 'auth', undefined],
    [reply(550, '5.1.1 User unknown', 'RCPT TO'), 'invalid_request', undefined],
    [reply(553, '5.1.3 Bad recipient address syntax', 'RCPT TO'), 'invalid_request', undefined],
    [reply(552, '5.5.3 Too many recipients', 'RCPT TO'), 'transient', undefined],
    [reply(552, '5.3.4 Message size exceeds fixed limit', 'DATA'), 'invalid_request', undefined],
    [reply(554, '5.7.1 Transaction failed', 'DATA'), 'invalid_request', undefined],
    [reply(500, '5.5.2 Syntax error'), 'invalid_request', undefined],
    [reply(502, '5.5.1 Command not implemented'), 'invalid_request', undefined],
    [reply(554, '5.7.1 No SMTP service here', 'CONN'), 'transient', undefined],
    [reply(550, '5.4.5 Daily user sending limit exceeded', 'DATA'), 'quota', undefined],
  ] as const)('%j -> %s', (error, kind, retryAfterMs) => {
    const e = map(error);
    expect(e.kind).toBe(kind);
    expect(e.retryAfterMs).toBe(retryAfterMs);
    expect(e.status).toBe(error.responseCode);
  });

  it('connection errors: transient before DATA, unknown_outcome after', () => {
    const lost: NodemailerError = { code: 'ECONNECTION', command: 'CONN' };
    expect(map(lost).code).toBe('GW_PROVIDER_TRANSIENT');
    expect(map(lost, { dataStarted: true }).code).toBe('GW_UNKNOWN_OUTCOME');
    expect(map({ code: 'ETIMEDOUT', command: 'CONN' }, { dataStarted: true }).code).toBe('GW_UNKNOWN_OUTCOME');
    expect(map({ code: 'EDNS', originalCode: 'ENOTFOUND' }).details?.networkCode).toBe('ENOTFOUND');
  });

  it('abort: timeout before DATA, unknown_outcome after', () => {
    expect(map({ code: 'EABORT' }, { aborted: true }).code).toBe('GW_PROVIDER_TIMEOUT');
    expect(map({ code: 'EABORT' }, { aborted: true, dataStarted: true }).code).toBe('GW_UNKNOWN_OUTCOME');
  });

  it('a reply after DATA is definitive: 250-less 451 stays transient even though data was sent', () => {
    expect(map(reply(451, '4.3.0 Error', 'DATA'), { dataStarted: true }).kind).toBe('transient');
  });

  it('every recipient rejected names them; a deferred one makes it transient', () => {
    const rcpt = (r: string, code: number, t: string): NodemailerError => ({ ...reply(code, t, 'RCPT TO'), recipient: r });
    const all = map({
      code: 'EENVELOPE',
      command: 'RCPT TO',
      rejectedErrors: [rcpt('a@x.io', 550, '5.1.1 unknown'), rcpt('b@x.io', 553, '5.1.3 bad')],
    });
    expect([all.code, all.status]).toEqual(['GW_PROVIDER_REJECTED', 550]);
    expect(all.message).toContain('a@x.io, b@x.io');
    const mixed = map({
      code: 'EENVELOPE',
      command: 'RCPT TO',
      rejectedErrors: [rcpt('a@x.io', 550, '5.1.1 unknown'), rcpt('b@x.io', 450, '4.2.0 greylisted')],
    });
    expect([mixed.kind, mixed.status]).toEqual(['transient', 450]);
  });

  it('scrubs secrets from replies and never attaches the raw error', () => {
    const e = map(reply(535, '5.7.8 bad hunter22', 'AUTH LOGIN'));
    expect(JSON.stringify(e.toJSON())).not.toContain('hunter22');
    expect(e.cause).toBeUndefined();
  });

  it('EAUTH without a reply is auth; ENOAUTH is not_configured', () => {
    expect(map({ code: 'EAUTH', command: 'API' }).kind).toBe('auth');
    expect(map({ code: 'ENOAUTH' }).kind).toBe('not_configured');
  });
});

describe('smtp reply text', () => {
  it('reads waits in seconds, minutes, hours', () => {
    expect(retryAfterFromText('421 4.7.0 Try again in 30 seconds')).toBe(30_000);
    expect(retryAfterFromText('451 wait 5 min')).toBe(300_000);
    expect(retryAfterFromText('421 retry after 2h')).toBe(7_200_000);
    expect(retryAfterFromText('421 closing')).toBeUndefined();
  });
  it('throttle wording or 4.7.x, but not "too many recipients"', () => {
    expect(isThrottleReply(421, '421 4.7.0 Try again later')).toBe(true);
    expect(isThrottleReply(451, '451 Rate limited')).toBe(true);
    expect(isThrottleReply(452, '452 4.5.3 Too many recipients')).toBe(false);
    expect(isThrottleReply(451, '451 4.3.0 Local error')).toBe(false);
    expect(isThrottleReply(550, '550 rate limited')).toBe(false);
  });
});

describe('smtp options and presets', () => {
  const parse = (o: unknown) => smtpProviderType.options.safeParse(o);

  it('a preset fills host, port and TLS mode; explicit options win', () => {
    const gmail = parse({ preset: 'gmail', from: 'a@b.example', auth: { user: 'u', pass: 'p' } });
    expect(gmail.success && gmail.data).toMatchObject({ host: 'smtp.gmail.com', port: 465, secure: true, requireTLS: false });
    const o365 = parse({ preset: 'office365', from: 'a@b.example', port: 25 });
    expect(o365.success && o365.data).toMatchObject({ host: 'smtp.office365.com', port: 25, secure: false, requireTLS: true });
    const ses = parse({ preset: 'ses', region: 'eu-west-1', from: 'a@b.example' });
    expect(ses.success && ses.data.host).toBe('email-smtp.eu-west-1.amazonaws.com');
  });

  it('reports problems with their paths', () => {
    const bad = parse({ preset: 'ses', from: 'nope', requireTLS: false, auth: { user: 'u' }, colour: 1 });
    expect(bad.success).toBe(false);
    const paths = bad.success ? [] : bad.error.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['from', 'auth']));
  });

  it('plain text needs allowInsecure', () => {
    expect(parse({ host: 'h', from: 'a@b.example', requireTLS: false }).success).toBe(false);
    expect(parse({ host: 'h', from: 'a@b.example', requireTLS: false, allowInsecure: true }).success).toBe(true);
    const insecure = parse({ host: 'h', from: 'a@b.example', allowInsecure: true });
    expect(insecure.success && insecure.data.requireTLS).toBe(false);
  });

  it('declares its secrets and defaults', () => {
    expect(smtpProviderType.secrets).toEqual(['auth.pass', 'auth.accessToken']);
    expect(smtpProviderType.defaults?.concurrency).toBe(5);
  });

  it('parses senders and derives stable Message-IDs', () => {
    expect(parseSender('Team <team@brand.example>')).toEqual({ name: 'Team', address: 'team@brand.example' });
    expect(parseSender('team@brand.example')).toEqual({ address: 'team@brand.example' });
    expect(parseSender('not an address')).toBeUndefined();
    expect(deriveMessageId('k', 'a@Brand.Example')).toBe(deriveMessageId('k', 'b@brand.example'));
    expect(deriveMessageId('k', 'a@brand.example')).not.toBe(deriveMessageId('k2', 'a@brand.example'));
  });
});
