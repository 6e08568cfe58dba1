/**
 * What the shared contract does not see of the four ESP adapters: the exact request each sends
 * (the idempotency key in the provider's custom data, content order, batch shapes), per-copy
 * outcomes of batch answers, partial batches that must not be retried, region and identity
 * mistakes, and a real SigV4 mismatch.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EmailSendingResult } from '../../../src/capabilities/email-sending.js';
import { loadConfig } from '../../../src/config/load.js';
import { GatewayError } from '../../../src/core/errors.js';
import type { Provider, RateLimitState } from '../../../src/core/provider.js';
import { mailgunType } from '../../../src/providers/mailgun/index.js';
import { baseOf as mailgunBase } from '../../../src/providers/mailgun/options.js';
import { postmarkType } from '../../../src/providers/postmark/index.js';
import { sendgridType } from '../../../src/providers/sendgrid/index.js';
import { sesType } from '../../../src/providers/ses/index.js';
import { tagSafeKey } from '../../../src/providers/email-sender.js';
import { invokeCtx, probeCtx, testDeps } from '../../helpers/context.js';
import { MG_DOMAIN, MG_KEY, startMailgunSim, type MailgunSim } from '../../simulators/mailgun.js';
import { PM_TOKEN, startPostmarkSim, type PostmarkSim } from '../../simulators/postmark.js';
import { SG_KEY, startSendGridSim, type SendGridSim } from '../../simulators/sendgrid.js';
import { SES_KEY_ID, SES_REGION, SES_SECRET, startSesSim, type SesSim } from '../../simulators/ses.js';

const failure = (p: Promise<unknown>): Promise<GatewayError> =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as GatewayError,
  );
const many = (n: number): string[] => Array.from({ length: n }, (_, i) => `r${i}@example.com`);

describe('sendgrid', () => {
  let sim: SendGridSim;
  let provider: Provider;
  beforeAll(async () => {
    sim = await startSendGridSim();
    provider = sendgridType.create(
      'sg',
      sendgridType.options.parse({ apiKey: SG_KEY, baseUrl: sim.url, from: 'News <news@example.com>' }),
      testDeps(),
    );
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.reset());

  it('sends text before html, the key in custom_args, the id from X-Message-Id', async () => {
    const result = (await provider.invoke(
      { to: 'ada@example.com', cc: 'bo@example.com', subject: 'Hi', html: '<p>x</p>', text: 'x', replyTo: 'help@example.com' },
      invokeCtx({ idempotencyKey: 'order-42' }),
    )) as EmailSendingResult;
    const [sent] = sim.sent();
    expect(result).toEqual({ messageId: sent!.messageId, accepted: ['ada@example.com', 'bo@example.com'], rejected: [] });
    expect(sent!.body).toMatchObject({
      from: { email: 'news@example.com', name: 'News' },
      reply_to: { email: 'help@example.com' },
      content: [
        { type: 'text/plain', value: 'x' },
        { type: 'text/html', value: '<p>x</p>' },
      ],
      custom_args: { gateway_key: 'order-42' },
      personalizations: [{ to: [{ email: 'ada@example.com' }], cc: [{ email: 'bo@example.com' }] }],
    });
  });

  it('a message sent separately is one personalization per address, each with its copy index', async () => {
    const result = (await provider.invoke({ to: many(3), separately: true, subject: 'S', text: 'x' }, invokeCtx())) as EmailSendingResult;
    const body = sim.sent()[0]!.body as { personalizations: { to: { email: string }[]; custom_args: Record<string, string> }[] };
    expect(body.personalizations).toEqual(many(3).map((email, i) => ({ to: [{ email }], custom_args: { gateway_copy: String(i) } })));
    expect(result.messages).toHaveLength(3);
    expect(result.failed).toBe(0);
  });

  it("each copy's own headers (its List-Unsubscribe) go in its personalization", async () => {
    const recipientHeaders = {
      'r0@example.com': { 'List-Unsubscribe': '<https://gw/u/0>' },
      'r1@example.com': { 'List-Unsubscribe': '<https://gw/u/1>' },
    };
    await provider.invoke(
      { to: many(2), separately: true, subject: 'S', text: 'x', headers: { 'X-Campaign': 'c' }, recipientHeaders },
      invokeCtx(),
    );
    const body = sim.sent()[0]!.body as { headers?: unknown; personalizations: { headers: Record<string, string> }[] };
    expect(body.personalizations.map((p) => p.headers)).toEqual([
      { 'X-Campaign': 'c', 'List-Unsubscribe': '<https://gw/u/0>' },
      { 'X-Campaign': 'c', 'List-Unsubscribe': '<https://gw/u/1>' },
    ]);
    expect(body.headers).toBeUndefined();
  });

  it("a request's own unverified sender is the caller's mistake, not the provider's setup", async () => {
    sim.fail('unverified_sender');
    const e = await failure(provider.invoke({ to: 'a@example.com', from: 'x@other.example', subject: 'S', text: 'x' }, invokeCtx()));
    expect([e.code, e.details?.field]).toEqual(['GW_PROVIDER_REJECTED', 'from']);
  });

  it('a 400 names the field SendGrid names (an address twice across the message)', async () => {
    const e = await failure(provider.invoke({ to: 'a@example.com', cc: 'a@example.com', subject: 'S', text: 'x' }, invokeCtx()));
    expect([e.kind, e.status, e.details?.field]).toEqual(['invalid_request', 400, 'personalizations.0.cc']);
  });

  it('reports X-RateLimit-* with the reset time', async () => {
    const seen: RateLimitState[] = [];
    await provider.invoke({ to: 'a@example.com', subject: 'S', text: 'x' }, invokeCtx({ reportRateLimit: (s) => seen.push(s) }));
    expect(seen[0]).toMatchObject({ window: 'period', limit: 600, remaining: 599 });
    expect(seen[0]!.resetAt).toBeGreaterThan(Date.now());
  });

  it('sandbox mode is answered 200 and sends nothing', async () => {
    const sandboxed = sendgridType.create(
      'sg_sandbox',
      sendgridType.options.parse({ apiKey: SG_KEY, baseUrl: sim.url, from: 'n@example.com', sandboxMode: true }),
      testDeps(),
    );
    await sandboxed.invoke({ to: 'a@example.com', subject: 'S', text: 'x' }, invokeCtx());
    expect(sim.requests).toHaveLength(1);
    expect(sim.sent()).toEqual([]);
  });
});

describe('postmark', () => {
  let sim: PostmarkSim;
  let provider: Provider;
  beforeAll(async () => {
    sim = await startPostmarkSim();
    provider = postmarkType.create(
      'pm',
      postmarkType.options.parse({ serverToken: PM_TOKEN, baseUrl: sim.url, from: 'news@example.com' }),
      testDeps(),
    );
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.reset());

  it('sends the key in Metadata on the transactional stream; a partly inactive message lists the left-out addresses', async () => {
    sim.deactivate('gone@example.com');
    const result = (await provider.invoke(
      { to: ['ada@example.com', 'gone@example.com'], subject: 'S', text: 'x', headers: { 'X-Campaign': 'c1' } },
      invokeCtx({ idempotencyKey: 'k-1' }),
    )) as EmailSendingResult;
    expect(sim.sent()[0]).toMatchObject({
      To: 'ada@example.com, gone@example.com',
      Metadata: { gateway_key: 'k-1' },
      MessageStream: 'outbound',
      Headers: [{ Name: 'X-Campaign', Value: 'c1' }],
    });
    expect([result.accepted, result.rejected]).toEqual([['ada@example.com'], ['gone@example.com']]);
  });

  it('a batch answers each message: an inactive copy fails alone, the others are sent on the broadcast stream', async () => {
    sim.deactivate('r1@example.com');
    const result = (await provider.invoke({ to: many(3), separately: true, subject: 'S', text: 'x' }, invokeCtx())) as EmailSendingResult;
    expect(result.messages!.map((m) => m.error?.code ?? 'sent')).toEqual(['sent', 'GW_PROVIDER_REJECTED', 'sent']);
    expect([result.accepted, result.rejected, result.failed]).toEqual([['r0@example.com', 'r2@example.com'], ['r1@example.com'], 1]);
    expect(sim.sent().map((m) => [m.MessageStream, (m.Metadata as Record<string, string>).gateway_copy])).toEqual([
      ['broadcast', '0'],
      ['broadcast', '2'],
    ]);
  });

  it('a failure after a batch was sent is never thrown (the chain would send it twice): the rest are marked', async () => {
    sim.fail('rate_limit', { after: 1 });
    const result = (await provider.invoke(
      { to: many(1200), separately: true, subject: 'S', text: 'x' },
      invokeCtx(),
    )) as EmailSendingResult;
    const codes = result.messages!.map((m) => m.error?.code ?? 'sent');
    expect(codes.filter((c) => c === 'sent')).toHaveLength(500);
    expect(codes.filter((c) => c === 'GW_PROVIDER_RATE_LIMITED')).toHaveLength(500);
    expect(codes.filter((c) => c === 'NOT_ATTEMPTED')).toHaveLength(200);
    expect(result.failed).toBe(700);
    expect(sim.requests).toHaveLength(2);
  });

  it('a failure before anything was sent is thrown, so the chain may fail over', async () => {
    sim.fail('rate_limit');
    const e = await failure(provider.invoke({ to: many(3), separately: true, subject: 'S', text: 'x' }, invokeCtx()));
    expect(e.kind).toBe('rate_limited');
  });

  it('406 names the inactive addresses', async () => {
    sim.deactivate('ada@example.com');
    const e = await failure(provider.invoke({ to: 'ada@example.com', subject: 'S', text: 'x' }, invokeCtx()));
    expect([e.code, e.details?.providerCode, e.details?.inactive]).toEqual(['GW_PROVIDER_REJECTED', 406, ['ada@example.com']]);
  });
});

describe('mailgun', () => {
  let sim: MailgunSim;
  let provider: Provider;
  beforeAll(async () => {
    sim = await startMailgunSim();
    provider = mailgunType.create(
      'mg',
      mailgunType.options.parse({ apiKey: MG_KEY, domain: MG_DOMAIN, baseUrl: sim.url, from: 'News <news@mg.example.com>' }),
      testDeps(),
    );
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.reset());

  it('posts a multipart form with v:gateway_key, h: headers and an attachment; keeps the <id>', async () => {
    const result = (await provider.invoke(
      {
        to: ['ada@example.com', 'bo@example.com'],
        subject: 'S',
        text: 'x',
        replyTo: 'help@example.com',
        attachments: [{ filename: 'a.txt', content: Buffer.from('hello').toString('base64'), contentType: 'text/plain' }],
      },
      invokeCtx({ idempotencyKey: 'key-7' }),
    )) as EmailSendingResult;
    const form = sim.sent()[0]!;
    expect(form.fields).toEqual(
      expect.arrayContaining([
        ['from', 'News <news@mg.example.com>'],
        ['to', 'ada@example.com'],
        ['to', 'bo@example.com'],
        ['h:Reply-To', 'help@example.com'],
        ['v:gateway_key', 'key-7'],
      ]),
    );
    expect(form.fields.some(([n]) => n === 'recipient-variables')).toBe(false);
    expect(form.files).toEqual([{ name: 'attachment', filename: 'a.txt', size: 5 }]);
    expect(result.messageId).toMatch(/^<.+@mg\.example\.com>$/);
  });

  it('a message sent separately carries recipient-variables, so no recipient sees another', async () => {
    await provider.invoke({ to: many(2), separately: true, subject: 'S', text: 'x' }, invokeCtx());
    const vars = sim.sent()[0]!.fields.find(([n]) => n === 'recipient-variables')![1];
    expect(JSON.parse(vars)).toEqual({ 'r0@example.com': { gateway_copy: 0 }, 'r1@example.com': { gateway_copy: 1 } });
  });

  it("each copy's own headers travel as recipient variables its h: header refers to", async () => {
    const recipientHeaders = {
      'r0@example.com': { 'List-Unsubscribe': '<https://gw/u/0>' },
      'r1@example.com': { 'List-Unsubscribe': '<https://gw/u/1>' },
    };
    await provider.invoke({ to: many(2), separately: true, subject: 'S', text: 'x', recipientHeaders }, invokeCtx());
    const fields = sim.sent()[0]!.fields;
    expect(fields.filter(([n]) => n === 'h:List-Unsubscribe')).toEqual([['h:List-Unsubscribe', '%recipient.h0%']]);
    expect(JSON.parse(fields.find(([n]) => n === 'recipient-variables')![1])).toEqual({
      'r0@example.com': { gateway_copy: 0, h0: '<https://gw/u/0>' },
      'r1@example.com': { gateway_copy: 1, h0: '<https://gw/u/1>' },
    });
  });

  it('a domain in the other region is the provider setup (domain, region), found by the probe too', async () => {
    const wrong = mailgunType.create(
      'mg_wrong',
      mailgunType.options.parse({ apiKey: MG_KEY, domain: 'eu.example.com', baseUrl: sim.url, from: 'a@example.com' }),
      testDeps(),
    );
    const e = await failure(wrong.invoke({ to: 'a@example.com', subject: 'S', text: 'x' }, invokeCtx()));
    expect([e.code, e.details?.option, e.details?.alsoCheck]).toEqual(['GW_PROVIDER_MISCONFIGURED', 'domain', 'region']);
    const p = await failure(wrong.probe!(probeCtx()));
    expect(p.kind).toBe('misconfigured');
  });

  it('a 400 names the parameter', async () => {
    const e = await failure(provider.invoke({ to: 'not-an-address', subject: 'S', text: 'x' }, invokeCtx()));
    expect([e.code, e.details?.field]).toEqual(['GW_PROVIDER_REJECTED', 'to']);
  });

  it('the region picks the API host', () => {
    expect(mailgunBase(mailgunType.options.parse({ region: 'eu' }))).toBe('https://api.eu.mailgun.net');
    expect(mailgunBase(mailgunType.options.parse({}))).toBe('https://api.mailgun.net');
  });
});

describe('ses', () => {
  let sim: SesSim;
  const make = (secret = SES_SECRET): Provider =>
    sesType.create(
      'ses',
      sesType.options.parse({
        region: SES_REGION,
        endpoint: sim.url,
        accessKeyId: SES_KEY_ID,
        secretAccessKey: secret,
        from: 'news@example.com',
      }),
      testDeps(),
    );
  beforeAll(async () => {
    sim = await startSesSim();
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.reset());

  it('a wrong secret fails SigV4 at the simulator: auth, nothing sent', async () => {
    const provider = make('wrong/secret');
    const e = await failure(provider.invoke({ to: 'a@example.org', subject: 'S', text: 'x' }, invokeCtx()));
    expect([e.code, e.details?.providerCode]).toEqual(['GW_PROVIDER_AUTH', 'SignatureDoesNotMatch']);
    expect(sim.signatureFailures()).toBe(1);
    expect(sim.sent()).toEqual([]);
    await provider.close?.();
  });

  it('the key travels as a tag (hashed when it has other characters); separately is one SendEmail per copy', async () => {
    const provider = make();
    const result = (await provider.invoke(
      { to: many(2), separately: true, subject: 'S', text: 'x' },
      invokeCtx({ idempotencyKey: 'job:1/item' }),
    )) as EmailSendingResult;
    expect(tagSafeKey('job:1/item')).toMatch(/^h-[0-9a-f]{40}$/);
    expect(tagSafeKey('plain_key-1')).toBe('plain_key-1');
    expect(sim.sent().map((b) => b.EmailTags)).toEqual([
      [
        { Name: 'gateway_key', Value: tagSafeKey('job:1/item') },
        { Name: 'gateway_copy', Value: '0' },
      ],
      [
        { Name: 'gateway_key', Value: tagSafeKey('job:1/item') },
        { Name: 'gateway_copy', Value: '1' },
      ],
    ]);
    expect(result.messages!.every((m) => m.messageId?.endsWith('-000000'))).toBe(true);
    await provider.close?.();
  });

  it('the probe reads the 24-hour quota and warns about the sandbox', async () => {
    const provider = make();
    sim.setSandbox(true);
    const seen: RateLimitState[] = [];
    const result = await provider.probe!(probeCtx({ reportRateLimit: (s) => seen.push(s) }));
    expect(seen).toEqual([{ window: '24h', remaining: 200, limit: 200, resetAt: null }]);
    expect(result).toMatchObject({ quotaAvailable: true, metadata: { maxSendRate: 1 } });
    expect((result as { warnings: string[] }).warnings[0]).toMatch(/sandbox/);
    await provider.close?.();
  });
});

describe('examples/esp.config.yaml', () => {
  it('loads: with credentials every ESP is configured; without, each is reported not configured by name', () => {
    const file = fileURLToPath(new URL('../../../examples/esp.config.yaml', import.meta.url));
    const env = {
      SENDGRID_API_KEY: 'SG.x',
      POSTMARK_SERVER_TOKEN: 'pm',
      MAILGUN_API_KEY: 'mg',
      AWS_ACCESS_KEY_ID: 'AKIA',
      AWS_SECRET_ACCESS_KEY: 'secret',
    };
    const full = loadConfig(file, env);
    expect(full.config.capabilities.email_sending!.providers.map((p) => p.type)).toEqual([
      'sendgrid',
      'postmark',
      'mailgun',
      'ses',
      'smtp',
    ]);
    expect(full.warnings).toEqual([]);
    const bare = loadConfig(file, {});
    for (const name of ['sendgrid_main', 'postmark_backup', 'mailgun_eu', 'ses_eu']) expect(bare.warnings.join('\n')).toContain(name);
  });
});
