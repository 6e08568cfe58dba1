/**
 * Deliverability end to end, through the HTTP service of a live gateway whose email chain is a
 * real SMTP server on loopback: signed events put addresses on the suppression list (once per
 * event id, never from a tampered webhook), a suppressed address never reaches the SMTP server,
 * a message with some suppressed recipients goes to the rest, the list is managed through the
 * API (add, remove, CSV export and import), and an email's events show on its idempotency key.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { validateConfig } from '../../src/config/load.js';
import { Gateway } from '../../src/gateway/gateway.js';
import { createServer } from '../../src/server/index.js';
import { PASS, plainOptions, USER } from '../providers/smtp/make-smtp.js';
import { startSmtpServer, type TestSmtpServer } from '../providers/smtp/smtp-test-server.js';
import { silent } from '../server/helpers.js';
import { sendgridSigner, standardHeaders } from './signers.js';

const KEY = 'deliverability-test-key-0123456789';
const api = { authorization: `Bearer ${KEY}` };
const UNSUB_SECRET = 'unsubscribe-secret-0123456789abcdef-xyz';
const SECRET = `whsec_${Buffer.from('partner-secret-0123456789abcdef').toString('base64')}`;

describe('deliverability through the HTTP service (real SMTP server)', () => {
  let smtp: TestSmtpServer;
  let gateway: Gateway;
  let app: FastifyInstance;
  const sg = sendgridSigner();

  const postEvents = (name: string, raw: string, headers: Record<string, string>) =>
    app.inject({ method: 'POST', url: `/v1/events/${name}`, headers, payload: raw });
  const sgBounce = (email: string, id: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify([
      { email, timestamp: Math.floor(Date.now() / 1000), event: 'bounce', type: 'bounce', sg_event_id: id, status: '5.1.1', ...extra },
    ]) + '\r\n';
  const send = (payload: Record<string, unknown>, key?: string) =>
    app.inject({
      method: 'POST',
      url: '/v1/capabilities/email_sending',
      headers: { ...api, ...(key ? { 'idempotency-key': key } : {}) },
      payload,
    });

  beforeAll(async () => {
    smtp = await startSmtpServer({ tls: 'none', auth: { user: USER, pass: PASS } });
  });
  afterAll(() => smtp.close());
  beforeEach(async () => {
    smtp.received.length = 0;
    const { config } = validateConfig(
      {
        mode: 'live',
        store: 'memory:',
        logLevel: 'silent',
        server: { apiKeys: [KEY] },
        monitoring: { intervalSeconds: 0 },
        deliverability: {
          suppression: { softBounceLimit: 3 },
          unsubscribe: { secret: UNSUB_SECRET, baseUrl: 'https://gw.example.com', mailto: 'unsubscribe@example.com' },
          receivers: [
            { name: 'sg', type: 'sendgrid', publicKey: sg.publicKey },
            { name: 'partner', type: 'standard', secrets: [SECRET] },
          ],
        },
        capabilities: { email_sending: { providers: [{ name: 'smtp_main', type: 'smtp', options: plainOptions(smtp.port) }] } },
      },
      {},
    );
    gateway = await Gateway.create({ config, dryRun: false, snapshotIntervalMs: 0 });
    app = createServer(gateway, { logger: silent(), periodicChecks: false });
    await app.ready();
  });
  afterEach(async () => {
    await app.close();
    await gateway.close();
  });

  it('a signed hard bounce suppresses the address once; a tampered one is refused and counted', async () => {
    const raw = sgBounce('Bob@Example.com', 'ev-1', { gateway_key: 'order-1' });
    const first = await postEvents('sg', raw, sg.headers(raw));
    expect([first.statusCode, first.json()]).toEqual([200, { received: 1, applied: 1, duplicates: 0, suppressed: 1 }]);
    const again = await postEvents('sg', raw, sg.headers(raw));
    expect(again.json()).toEqual({ received: 1, applied: 0, duplicates: 1, suppressed: 0 });
    const forged = sgBounce('ceo@example.com', 'ev-2');
    const refused = await postEvents('sg', forged, sg.headers(raw));
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.reason).toBe('bad_signature');
    const list = (await app.inject({ method: 'GET', url: '/v1/suppressions', headers: api })).json();
    expect(list.total).toBe(1);
    expect(list.suppressions[0]).toMatchObject({ address: 'bob@example.com', reason: 'hard_bounce', source: 'sg', detail: '5.1.1' });
    const metrics = (await app.inject({ method: 'GET', url: '/metrics', headers: api })).body;
    expect(metrics).toContain('aicmo_mail_webhooks_total{receiver="sg",outcome="refused",reason="bad_signature"} 1');
    expect(metrics).toContain('aicmo_mail_events_total{receiver="sg",result="duplicate"} 1');
    expect((await postEvents('nobody', raw, sg.headers(raw))).statusCode).toBe(404);
  });

  it('a suppressed address never reaches the SMTP server; the rest of a message still goes', async () => {
    const raw = sgBounce('bob@example.com', 'ev-9');
    await postEvents('sg', raw, sg.headers(raw));
    const refused = await send({ to: 'BOB@example.com', subject: 'Hi', text: 'x' });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error).toMatchObject({ code: 'GW_SUPPRESSED', kind: 'invalid_request' });
    expect(refused.json().error.details.suppressed[0]).toMatchObject({ address: 'bob@example.com', reason: 'hard_bounce', source: 'sg' });
    expect(smtp.received).toHaveLength(0);

    const partial = await send({ to: ['ada@example.com', 'bob@example.com'], cc: 'bob@example.com', subject: 'Hi', text: 'x' });
    expect(partial.statusCode).toBe(200);
    expect(partial.json().result).toMatchObject({
      accepted: ['ada@example.com'],
      suppressed: [{ address: 'bob@example.com', reason: 'hard_bounce' }],
    });
    expect(smtp.received.map((m) => m.to)).toEqual([['ada@example.com']]);

    // Sent separately (a campaign): the suppressed copy keeps its place, marked GW_SUPPRESSED.
    const campaign = await send({
      to: ['a1@example.com', 'bob@example.com', 'a2@example.com'],
      separately: true,
      subject: 'Offer',
      text: 'x',
    });
    expect(campaign.json().result.messages.map((m: { to: string; error?: { code: string } }) => m.error?.code ?? 'sent')).toEqual([
      'sent',
      'GW_SUPPRESSED',
      'sent',
    ]);
    expect(smtp.received.map((m) => m.to).slice(1)).toEqual([['a1@example.com'], ['a2@example.com']]);
  });

  it('the API adds and removes entries; removal lets mail through again', async () => {
    const put = await app.inject({
      method: 'PUT',
      url: '/v1/suppressions/cy@example.com',
      headers: api,
      payload: { detail: 'asked by phone' },
    });
    expect(put.statusCode).toBe(201);
    expect(put.json().suppression).toMatchObject({
      address: 'cy@example.com',
      reason: 'manual',
      detail: 'asked by phone',
      source: expect.stringMatching(/^api:key-[0-9a-f]{8}$/),
    });
    expect((await send({ to: 'cy@example.com', subject: 'Hi', text: 'x' })).statusCode).toBe(422);
    expect((await app.inject({ method: 'DELETE', url: '/v1/suppressions/cy@example.com', headers: api })).statusCode).toBe(200);
    expect((await app.inject({ method: 'DELETE', url: '/v1/suppressions/cy@example.com', headers: api })).statusCode).toBe(404);
    expect((await send({ to: 'cy@example.com', subject: 'Hi', text: 'x' })).statusCode).toBe(200);
    const bad = await app.inject({ method: 'PUT', url: '/v1/suppressions/not-an-address', headers: api, payload: {} });
    expect(bad.statusCode).toBe(400);
    const badReason = await app.inject({
      method: 'PUT',
      url: '/v1/suppressions/x@example.com',
      headers: api,
      payload: { reason: 'annoyed' },
    });
    expect(badReason.json().error.problems[0].path).toBe('body.reason');
    expect((await app.inject({ method: 'PUT', url: '/v1/suppressions/x@example.com', payload: {} })).statusCode).toBe(401);
  });

  it('CSV import is all or nothing; export gives back what was imported', async () => {
    const csv =
      'address,reason,source,at,detail\nA@example.com,complaint,legacy-esp,2026-01-02T03:04:05.000Z,"fbl, abuse"\nb@example.com,,,,\n';
    const imported = await app.inject({
      method: 'POST',
      url: '/v1/suppressions/import',
      headers: { ...api, 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(imported.json()).toEqual({ imported: 2, added: 2, updated: 0 });
    const exported = await app.inject({ method: 'GET', url: '/v1/suppressions/export', headers: api });
    expect(exported.headers['content-type']).toMatch(/^text\/csv/);
    const bAt = new Date((await gateway.deliverability.suppressions.lookup(['b@example.com']))[0]!.at).toISOString();
    expect(exported.body).toBe(
      `address,reason,source,at,detail\na@example.com,complaint,legacy-esp,2026-01-02T03:04:05.000Z,"fbl, abuse"\nb@example.com,manual,import,${bAt},\n`,
    );
    const broken = 'address,reason\nc@example.com,manual\nnot-an-address,manual\nd@example.com,bored\n';
    const refused = await app.inject({
      method: 'POST',
      url: '/v1/suppressions/import',
      headers: { ...api, 'content-type': 'text/csv' },
      payload: broken,
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.problems.map((p: { path: string }) => p.path)).toEqual(['row 3.address', 'row 4.reason']);
    expect(await gateway.deliverability.suppressions.count()).toBe(2);
  });

  it('soft bounces suppress only after the limit; an email shows its events on its idempotency key', async () => {
    const sent = await send({ to: 'dee@example.com', subject: 'Hi', text: 'x' }, 'welcome-dee');
    expect(sent.statusCode).toBe(200);
    for (const [i, id] of ['msg_a', 'msg_b', 'msg_c'].entries()) {
      const raw = JSON.stringify({
        type: 'soft_bounce',
        timestamp: new Date(Date.now() - (3 - i) * 1000).toISOString(),
        data: { address: 'dee@example.com', gatewayKey: 'welcome-dee', detail: '4.2.2 mailbox full' },
      });
      const res = await postEvents('partner', raw, standardHeaders(SECRET, id, raw));
      expect(res.json().suppressed).toBe(i === 2 ? 1 : 0);
    }
    // A replayed webhook-id is not applied again.
    const replay = JSON.stringify({ type: 'complaint', timestamp: new Date().toISOString(), data: { address: 'dee@example.com' } });
    expect((await postEvents('partner', replay, standardHeaders(SECRET, 'msg_a', replay))).json()).toMatchObject({
      applied: 0,
      duplicates: 1,
    });
    const [entry] = await gateway.deliverability.suppressions.lookup(['dee@example.com']);
    expect(entry).toMatchObject({ reason: 'soft_bounce', source: 'partner' });
    const view = (await app.inject({ method: 'GET', url: '/v1/idempotency/welcome-dee', headers: api })).json();
    expect(view.events.map((e: { type: string }) => e.type)).toEqual(['soft_bounce', 'soft_bounce', 'soft_bounce']);
    expect(view.events[0]).toMatchObject({ address: 'dee@example.com', provider: 'partner', detail: '4.2.2 mailbox full' });
  });

  it('bulk mail carries one-click unsubscribe per copy; the POST suppresses at once, a GET only asks', async () => {
    const single = await send({ to: 'eve@example.com', bulk: true, subject: 'News', text: 'x' });
    expect(single.statusCode).toBe(200);
    // The raw header (mailparser folds List-* headers into a structure of its own); unfolded.
    const header = (i: number, name: string): string | undefined => {
      const head = smtp.received[i]!.raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
      return head
        .split(/\r?\n/)
        .find((l) => l.toLowerCase().startsWith(`${name}:`))
        ?.slice(name.length + 1)
        .trim();
    };
    const listUnsub = String(header(0, 'list-unsubscribe'));
    const url = /<(https:\/\/gw\.example\.com\/v1\/unsubscribe\/([^>]+))>/.exec(listUnsub);
    expect(url).not.toBeNull();
    expect(listUnsub).toContain('<mailto:unsubscribe@example.com?subject=unsubscribe%20');
    expect(header(0, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');

    await send({ to: ['f1@example.com', 'f2@example.com'], separately: true, subject: 'News', text: 'x' });
    const tokens = [1, 2].map((i) => /unsubscribe\/([^>]+)>/.exec(String(header(i, 'list-unsubscribe')))![1]);
    expect(new Set(tokens).size).toBe(2);
    await send({ to: 'receipt@example.com', subject: 'Your receipt', text: 'x' });
    expect(header(3, 'list-unsubscribe')).toBeUndefined();

    const path = `/v1/unsubscribe/${url![2]}`;
    const page = await app.inject({ method: 'GET', url: path });
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('eve@example.com');
    expect(page.body).toContain('name="List-Unsubscribe" value="One-Click"');
    expect(await gateway.deliverability.suppressions.count()).toBe(0);

    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    expect((await app.inject({ method: 'POST', url: path, headers: form, payload: '' })).statusCode).toBe(400);
    const tampered = path.slice(0, -3) + (path.endsWith('AAA') ? 'BBB' : 'AAA');
    expect((await app.inject({ method: 'POST', url: tampered, headers: form, payload: 'List-Unsubscribe=One-Click' })).statusCode).toBe(
      400,
    );
    const done = await app.inject({ method: 'POST', url: path, headers: form, payload: 'List-Unsubscribe=One-Click' });
    expect([done.statusCode, done.json()]).toEqual([200, { unsubscribed: true }]);
    const [entry] = await gateway.deliverability.suppressions.lookup(['eve@example.com']);
    expect(entry).toMatchObject({ reason: 'unsubscribe', source: 'unsubscribe' });
    expect((await send({ to: 'eve@example.com', bulk: true, subject: 'News', text: 'x' })).json().error.code).toBe('GW_SUPPRESSED');
  });
});
