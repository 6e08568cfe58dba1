/** Jobs through the HTTP API on the SQLite store: submit (JSON and NDJSON), drain, status, results, pause/resume/cancel, resubmission. */
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest, type ClientRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.js';
import type { GatewayConfigInput } from '../../src/config/schema.js';
import type { LeasableOutbox } from '../../src/delivery/outbox.js';
import { systemClock } from '../../src/core/clock.js';
import { OutboxWorker } from '../../src/delivery/outbox-worker.js';
import { Gateway } from '../../src/gateway.js';
import { createServer } from '../../src/server/index.js';
import { api, silent, testConfigInput } from '../server/helpers.js';
import { jobStatus as status, waitForJob as waitFor, webhookItems } from './job-helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('jobs (SQLite store)', () => {
  let dir: string;
  let close: (() => Promise<void>) | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aicmo-jobs-'));
  });
  afterEach(async () => {
    await close?.();
    close = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  /** The server starts the gateway's outbox worker. */
  const open = async (mutate?: (raw: GatewayConfigInput) => void) => {
    const raw = testConfigInput();
    raw.store = `sqlite:${join(dir, 'gw.db')}`;
    raw.delivery = { outbox: { pollMs: 20, leaseMs: 2_000, baseDelayMs: 20, maxDelayMs: 50 } };
    mutate?.(raw);
    const gateway = await Gateway.create({ config: validateConfig(raw, {}).config, snapshotIntervalMs: 0 });
    const app = createServer(gateway, { logger: silent(), periodicChecks: false });
    await app.ready();
    close = async () => {
      await app.close();
      await gateway.close();
    };
    return { app, gateway };
  };

  /** POSTs an NDJSON job over a real socket; `send` writes the body and ends the request. */
  const streamJob = (port: number, send: (req: ClientRequest) => Promise<void> | void) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/v1/jobs?capability=webhook_dispatch',
          headers: { ...api, 'content-type': 'application/x-ndjson' },
        },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      Promise.resolve(send(req)).catch(reject);
    });

  it('stores every item before 202, drains them once each, and reports counts, providers and per-item results', async () => {
    const { app, gateway } = await open();
    const res = await app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: api,
      payload: { capability: 'webhook_dispatch', items: webhookItems(25) },
    });
    expect(res.statusCode).toBe(202);
    const job = res.json().job;
    expect(res.headers.location).toBe(`/v1/jobs/${job.id}`);
    expect(job).toMatchObject({ capability: 'webhook_dispatch', state: 'running', items: 25, spread: true });
    expect(job.counts).toMatchObject({ pending: 25, delivered: 0 });
    // On disk before the answer: another connection sees all 25 items and their ledger keys queued.
    const db = new Database(join(dir, 'gw.delivery.db'), { readonly: true });
    // (The server's worker is already draining them: queued or delivered.)
    expect(db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE job_id = ?').get(job.id)).toEqual({ n: 25 });
    expect(db.prepare("SELECT COUNT(*) AS n FROM ledger WHERE key LIKE ? AND state IN ('queued', 'succeeded')").get(`${job.id}:%`)).toEqual(
      {
        n: 25,
      },
    );
    db.close();
    const done = await waitFor(app, job.id, (j) => j.state === 'completed');
    expect(done.counts).toMatchObject({ pending: 0, in_progress: 0, delivered: 25, failed: 0 });
    const sandboxes = ['hook_primary', 'hook_backup'].map((n) => gateway.getSandbox(n)!);
    expect(sandboxes.reduce((s, b) => s + b.deliveredKeys, 0)).toBe(25);
    for (let i = 0; i < 25; i++) expect(sandboxes.reduce((s, b) => s + b.deliveryCount(`${job.id}:${i}`), 0)).toBe(1);
    expect(Object.values(done.providers).reduce((a, b) => a + b, 0)).toBe(25);
    const results = await app.inject({ method: 'GET', url: `/v1/jobs/${job.id}/results`, headers: api });
    expect(results.statusCode).toBe(200);
    expect(results.headers['content-type']).toContain('application/x-ndjson');
    const lines = results.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { position: number; state: string; idempotencyKey: string });
    expect(lines.map((l) => l.position)).toEqual([...Array(25).keys()]);
    expect(lines.every((l) => l.state === 'delivered')).toBe(true);
    expect(lines[3]!.idempotencyKey).toBe(`${job.id}:3`);
    const failures = await app.inject({ method: 'GET', url: `/v1/jobs/${job.id}/results?failures=true`, headers: api });
    expect(failures.body).toBe('');
  });

  it('takes an NDJSON stream, names the line and field of a bad item and keeps nothing of that job', async () => {
    const { app } = await open();
    const lines = webhookItems(3).map((i) => JSON.stringify(i));
    const bad = [...lines, JSON.stringify({ event: '', payload: {} }), ...lines].join('\n');
    const res = await app.inject({
      method: 'POST',
      url: '/v1/jobs?capability=webhook_dispatch',
      headers: { ...api, 'content-type': 'application/x-ndjson' },
      payload: bad,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('GW_INVALID_REQUEST');
    expect(res.json().error.problems[0].path).toBe('items[3].event');
    expect((await app.inject({ method: 'GET', url: '/v1/jobs', headers: api })).json().jobs).toEqual([]);
    const db = new Database(join(dir, 'gw.delivery.db'), { readonly: true });
    expect(db.prepare('SELECT COUNT(*) AS n FROM outbox').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM ledger').get()).toEqual({ n: 0 });
    db.close();
    const good = await app.inject({
      method: 'POST',
      url: '/v1/jobs?capability=webhook_dispatch',
      headers: { ...api, 'content-type': 'application/x-ndjson' },
      payload: `${lines.join('\n')}\n\n`,
    });
    expect(good.statusCode).toBe(202);
    expect(good.json().job.items).toBe(3);
  });

  it(
    'streams a 100,000-line NDJSON job into the store while it arrives (never held whole), then opens it',
    { timeout: 60_000 },
    async () => {
      const { app, gateway } = await open();
      for (const p of gateway.getProviderChain('webhook_dispatch')!.providers) p.isolate(); // acceptance only
      await app.listen({ host: '127.0.0.1', port: 0 });
      const port = (app.server.address() as AddressInfo).port;
      const line = (i: number) => `${JSON.stringify({ event: 'contact.created', payload: { i } })}\n`;
      const db = new Database(join(dir, 'gw.delivery.db'), { readonly: true });
      const stored = () => (db.prepare('SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n;
      const answer = streamJob(port, async (req) => {
        for (let i = 0; i < 60_000; i++) req.write(line(i));
        // The first 50,000 items are on disk while the request is still open, and the job is not running yet.
        for (let t = 0; stored() < 50_000; t++) {
          if (t > 400) throw new Error(`only ${stored()} items stored while streaming`);
          await sleep(50);
        }
        expect(db.prepare('SELECT state FROM jobs').get()).toEqual({ state: 'receiving' });
        expect(db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE next_at IS NOT NULL').get()).toEqual({ n: 0 });
        for (let i = 60_000; i < 100_000; i++) req.write(line(i));
        req.end();
      });
      const res = await answer;
      db.close();
      expect(res.status).toBe(202);
      expect(JSON.parse(res.body).job).toMatchObject({ state: 'running', items: 100_000 });
    },
  );

  it('reads a character split between two chunks of the stream whole', async () => {
    const { app, gateway } = await open();
    for (const p of gateway.getProviderChain('webhook_dispatch')!.providers) p.isolate();
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    const body = Buffer.from(`${JSON.stringify({ event: 'contact.created', payload: { name: 'Zoë Créé' } })}\n`);
    const cut = body.indexOf(Buffer.from('ë')) + 1; // inside the two bytes of "ë"
    const res = await streamJob(port, (req) => {
      req.write(body.subarray(0, cut));
      setTimeout(() => req.end(body.subarray(cut)), 50);
    });
    expect(res.status).toBe(202);
    const id = (JSON.parse(res.body) as { job: { id: string } }).job.id;
    const [item] = await gateway.delivery.outbox!.list({ limit: 1 });
    expect(item!.job!.id).toBe(id);
    expect(item!.request).toEqual({ event: 'contact.created', payload: { name: 'Zoë Créé' } });
  });

  it('a job sent again under the same Idempotency-Key answers with the first job and stores nothing; an item key seen before is a duplicate', async () => {
    const { app, gateway } = await open();
    const items = [
      { idempotencyKey: 'contact-1', request: webhookItems(1)[0] },
      { idempotencyKey: 'contact-2', request: webhookItems(1)[0] },
    ];
    const first = await app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: { ...api, 'idempotency-key': 'campaign-7' },
      payload: { capability: 'webhook_dispatch', items },
    });
    expect(first.statusCode).toBe(202);
    const id = first.json().job.id;
    await waitFor(app, id, (j) => j.state === 'completed');
    const again = await app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: { ...api, 'idempotency-key': 'campaign-7' },
      payload: { capability: 'webhook_dispatch', items },
    });
    expect(again.statusCode).toBe(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toMatchObject({ replayed: true, job: { id, items: 2 } });
    // While a job under that key is still being received, a second submission is told so (409), not given its id.
    const jobs = gateway.jobs!;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const slow = jobs.submit(
      'webhook_dispatch',
      (async function* () {
        yield webhookItems(1)[0];
        await held;
      })(),
      { key: 'campaign-8' },
    );
    await sleep(20);
    const during = await app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: { ...api, 'idempotency-key': 'campaign-8' },
      payload: { capability: 'webhook_dispatch', items },
    });
    expect(during.statusCode).toBe(409);
    expect(during.json().error.code).toBe('GW_IDEMPOTENCY_IN_FLIGHT');
    release();
    expect((await slow).created).toBe(true);
    // The same item keys in a new job: nothing sent twice.
    const other = await app.inject({ method: 'POST', url: '/v1/jobs', headers: api, payload: { capability: 'webhook_dispatch', items } });
    const otherJob = await waitFor(app, other.json().job.id, (j) => j.state === 'completed');
    expect(otherJob.counts).toMatchObject({ duplicate: 2, delivered: 0 });
    const sent = ['hook_primary', 'hook_backup'].map((n) => gateway.getSandbox(n)!);
    expect(sent.reduce((s, b) => s + b.deliveryCount('contact-1') + b.deliveryCount('contact-2'), 0)).toBe(2);
  });

  it('pause holds the items not yet started, resume sends them, cancel ends the rest as cancelled', async () => {
    const { app, gateway } = await open((raw) => {
      raw.capabilities.webhook_dispatch!.providers = [
        { name: 'hook_primary', type: 'webhook', sandbox: { latencyMs: 0 }, limits: { ratePerSecond: 20, burst: 1 } },
      ];
    });
    const res = await app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: api,
      payload: { capability: 'webhook_dispatch', items: webhookItems(60) },
    });
    const id = res.json().job.id;
    await waitFor(app, id, (j) => j.counts.delivered >= 3);
    const paused = await app.inject({ method: 'POST', url: `/v1/jobs/${id}/pause`, headers: api });
    expect(paused.json().job.state).toBe('paused');
    // Items already leased (calling, or waiting for their turn at the provider's pace) end; no other starts.
    const held = await waitFor(app, id, (j) => j.counts.in_progress === 0);
    await sleep(300);
    const still = await status(app, id);
    expect(still.counts.delivered).toBe(held.counts.delivered);
    expect(still.counts.in_progress).toBe(0);
    expect(still.counts.pending).toBe(60 - held.counts.delivered);
    await app.inject({ method: 'POST', url: `/v1/jobs/${id}/resume`, headers: api });
    await waitFor(app, id, (j) => j.counts.delivered >= held.counts.delivered + 3);
    const cancelled = (await app.inject({ method: 'POST', url: `/v1/jobs/${id}/cancel`, headers: api })).json().job;
    expect(cancelled.state).toBe('cancelled');
    const end = await waitFor(app, id, (j) => j.counts.in_progress === 0);
    expect(end.counts.pending).toBe(0);
    expect(end.counts.delivered + end.counts.cancelled).toBe(60);
    expect(end.counts.cancelled).toBeGreaterThan(0);
    expect(gateway.getSandbox('hook_primary')!.deliveredKeys).toBe(end.counts.delivered);
  });

  it('merges single-record CRM items into batch requests and splits the answer back per item', async () => {
    const { app, gateway } = await open((raw) => {
      raw.capabilities.crm_sync = { providers: [{ name: 'crm', type: 'airtable', sandbox: { latencyMs: 0 } }] };
    });
    const items = Array.from({ length: 230 }, (_, i) => ({ mergeOn: ['email'], records: [{ fields: { email: `p${i}@example.com` } }] }));
    const res = await app.inject({ method: 'POST', url: '/v1/jobs', headers: api, payload: { capability: 'crm_sync', items } });
    expect(res.statusCode).toBe(202);
    expect(res.json().job.spread).toBe(false);
    const done = await waitFor(app, res.json().job.id, (j) => j.state === 'completed');
    expect(done.counts.delivered).toBe(230);
    const crm = gateway.getSandbox('crm')!;
    expect(crm.records.map((r) => (r.request as { records: unknown[] }).records.length).sort((a, b) => b - a)).toEqual([100, 100, 30]);
    const lines = (await app.inject({ method: 'GET', url: `/v1/jobs/${res.json().job.id}/results`, headers: api })).body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { position: number; state: string; result: { status: string } });
    expect(lines).toHaveLength(230);
    expect(lines.map((l) => l.position)).toEqual([...Array(230).keys()]);
    expect(lines.every((l) => l.state === 'delivered' && l.result.status === 'created')).toBe(true);
  });

  it("a job item's age counts from its first attempt: never-attempted items do not expire, and the first lease restarts the clock", async () => {
    const { app, gateway } = await open();
    for (const p of gateway.getProviderChain('webhook_dispatch')!.providers) p.isolate(); // the server's worker leases nothing
    const res = await app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: api,
      payload: { capability: 'webhook_dispatch', items: webhookItems(3) },
    });
    const id = res.json<{ job: { id: string } }>().job.id;
    const outbox = gateway.delivery.outbox as LeasableOutbox;
    // An ordinary delivery of the same age is dead-lettered at the maximum age; the job's items are not.
    const later = Date.now() + 48 * 3_600_000;
    await outbox.enqueue({ idempotencyKey: 'ordinary-1', capability: 'webhook_dispatch', request: webhookItems(1)[0], now: Date.now() });
    const expired = await outbox.expire(later - 24 * 3_600_000, later);
    expect(expired.map((r) => r.idempotencyKey)).toEqual(['ordinary-1']);
    expect((await status(app, id)).counts.pending).toBe(3);
    // The first lease of an item sets its age to the lease time.
    const leased = await outbox.lease('test-worker', later, 10_000, ['webhook_dispatch']);
    expect(leased!.record.job!.id).toBe(id);
    expect(leased!.record.createdAt).toBe(later);
  });

  it('merges single addresses to verify into requests of 200 and splits the answers back per item', async () => {
    const { app, gateway } = await open((raw) => {
      raw.capabilities.email_verification = { providers: [{ name: 'zb', type: 'zerobounce', sandbox: { latencyMs: 0 } }] };
    });
    const items = Array.from({ length: 450 }, (_, i) => ({ email: i % 50 === 7 ? `not-an-address-${i}` : `p${i}@example.com` }));
    const res = await app.inject({ method: 'POST', url: '/v1/jobs', headers: api, payload: { capability: 'email_verification', items } });
    expect(res.statusCode).toBe(202);
    const done = await waitFor(app, res.json().job.id, (j) => j.state === 'completed');
    expect(done.counts.delivered).toBe(450);
    const zb = gateway.getSandbox('zb')!;
    expect(zb.records.map((r) => (r.request as { emails: unknown[] }).emails.length).sort((a, b) => b - a)).toEqual([200, 200, 50]);
    const lines = (await app.inject({ method: 'GET', url: `/v1/jobs/${res.json().job.id}/results`, headers: api })).body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { position: number; state: string; result: { email: string; status: string } });
    expect(lines.map((l) => l.position)).toEqual([...Array(450).keys()]);
    expect(lines[8]!.result).toMatchObject({ email: 'p8@example.com', status: 'deliverable' });
    expect(lines[57]!.result).toMatchObject({ email: 'not-an-address-57', status: 'undeliverable' });
  });

  it('merges a campaign of single-address emails into messages sent separately, 500 a request, one result per item', async () => {
    const { app, gateway } = await open((raw) => {
      raw.capabilities.email_sending = { providers: [{ name: 'esp', type: 'sendgrid', sandbox: { latencyMs: 0 } }] };
    });
    const items = Array.from({ length: 1100 }, (_, i) => ({ to: `p${i}@example.com`, subject: 'Winter offer', text: 'Hello' }));
    // A different message (its own subject) never merges with the campaign: it goes alone (one copy).
    items.push({ to: 'other@example.com', subject: 'Receipt', text: 'Thanks' });
    const res = await app.inject({ method: 'POST', url: '/v1/jobs', headers: api, payload: { capability: 'email_sending', items } });
    expect(res.statusCode).toBe(202);
    const done = await waitFor(app, res.json().job.id, (j) => j.state === 'completed');
    expect(done.counts.delivered).toBe(1101);
    const requests = gateway
      .getSandbox('esp')!
      .records.map((r) => r.request as { to: string | string[]; separately?: boolean; subject: string });
    expect(requests.map((r) => [Array.isArray(r.to) ? r.to.length : 1, r.separately ?? false, r.subject]).sort()).toEqual([
      [1, true, 'Receipt'],
      [100, true, 'Winter offer'],
      [500, true, 'Winter offer'],
      [500, true, 'Winter offer'],
    ]);
    const lines = (await app.inject({ method: 'GET', url: `/v1/jobs/${res.json().job.id}/results`, headers: api })).body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { position: number; state: string; result: { messageId: string; accepted: string[] } });
    expect(lines.map((l) => l.position)).toEqual([...Array(1101).keys()]);
    expect(lines[700]!.result.accepted).toEqual(['p700@example.com']);
    expect(new Set(lines.map((l) => l.result.messageId)).size).toBe(1101);
  });

  it('dead-lettered items of a job open one recommendation for the job that counts them, not one each', async () => {
    const { app, gateway } = await open();
    for (const n of ['hook_primary', 'hook_backup']) gateway.getSandbox(n)!.setFailure('transient');
    const res = await app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: api,
      payload: { capability: 'webhook_dispatch', items: webhookItems(5) },
    });
    const id = res.json<{ job: { id: string } }>().job.id;
    const worker = new OutboxWorker({
      outbox: gateway.delivery.outbox as LeasableOutbox,
      chains: gateway.delivery.chains,
      clock: systemClock,
      policy: { maxAgeMs: 200, baseDelayMs: 20, maxDelayMs: 50, leaseMs: 2_000, pollMs: 20 },
      recommendations: gateway.store,
    });
    await sleep(250);
    for (let i = 0; i < 20 && (await status(app, id)).counts.dead < 5; i++) await worker.tick();
    expect((await status(app, id)).counts.dead).toBe(5);
    const recs = await gateway.store.queryRecommendations({ capability: 'webhook_dispatch' });
    const forJob = recs.filter((r) => r.issueKey.startsWith('job_dead:') || r.issueKey.startsWith('outbox_dead:'));
    expect(forJob).toHaveLength(1);
    expect(forJob[0]).toMatchObject({ issueKey: `job_dead:${id}`, severity: 'critical', occurrences: 5, resolvedAt: null });
    expect(forJob[0]!.issue).toContain(`5 item(s) of job ${id} were dead-lettered`);
    expect(forJob[0]!.action).toContain(`aicmo-gateway job results ${id} --failures`);
  });

  it('answers 501 naming the store on a memory store, and 404 for an unknown job', async () => {
    const gateway = await Gateway.create({ config: validateConfig(testConfigInput(), {}).config, snapshotIntervalMs: 0 });
    const app = createServer(gateway, { logger: silent(), periodicChecks: false });
    close = async () => {
      await app.close();
      await gateway.close();
    };
    const res = await app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: api,
      payload: { capability: 'webhook_dispatch', items: webhookItems(1) },
    });
    expect(res.statusCode).toBe(501);
    expect(res.json().error).toMatchObject({ code: 'HTTP_NOT_IMPLEMENTED' });
    expect(res.json().error.message).toContain('the memory store has none');
    await close();
    const x = await open();
    const missing = await x.app.inject({ method: 'GET', url: '/v1/jobs/job_nope', headers: api });
    expect(missing.statusCode).toBe(404);
  });
});
