import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { admin, api, makeApp, testConfig, webhook } from './helpers.js';

let app: FastifyInstance;
afterEach(async () => {
  await app?.close();
});

describe('capability routes', () => {
  it('POST invokes the chain and returns result, serving provider, attempts and the idempotency key', async () => {
    ({ app } = await makeApp());
    const res = await app.inject({
      method: 'POST',
      url: '/v1/capabilities/webhook_dispatch',
      headers: { ...api, 'idempotency-key': 'order-42' },
      payload: webhook(),
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.provider).toBe('hook_primary');
    expect(body.idempotencyKey).toBe('order-42');
    expect(res.headers['idempotency-key']).toBe('order-42');
    expect(body.result).toMatchObject({ status: 200 });
    expect(body.attempts).toEqual([expect.objectContaining({ provider: 'hook_primary', outcome: 'success' })]);
  });

  it('a repeated idempotency key answers the stored result without calling a provider again', async () => {
    let gateway;
    ({ app, gateway } = await makeApp());
    const first = await app.inject({
      method: 'POST',
      url: '/v1/capabilities/webhook_dispatch',
      headers: { ...api, 'idempotency-key': 'same' },
      payload: webhook(),
    });
    const again = await app.inject({
      method: 'POST',
      url: '/v1/capabilities/webhook_dispatch',
      headers: { ...api, 'idempotency-key': 'same' },
      payload: webhook(),
    });
    expect([first.statusCode, again.statusCode]).toEqual([200, 200]);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toMatchObject({ replayed: true, provider: 'hook_primary', result: first.json().result });
    expect(gateway.getSandbox('hook_primary')!.deliveries.get('same')).toBe(1);
    const other = await app.inject({
      method: 'POST',
      url: '/v1/capabilities/webhook_dispatch',
      headers: { ...api, 'idempotency-key': 'same' },
      payload: webhook('contact.deleted'),
    });
    expect(other.statusCode).toBe(422);
    expect(other.json().error.code).toBe('GW_IDEMPOTENCY_MISMATCH');
  });

  it('400 lists every problem with its JSON path and calls no provider', async () => {
    let gateway;
    ({ app, gateway } = await makeApp());
    const res = await app.inject({
      method: 'POST',
      url: '/v1/capabilities/webhook_dispatch',
      headers: api,
      payload: { event: 'bad event!', url: 'ftp://x' },
    });
    expect(res.statusCode).toBe(400);
    const { error } = res.json();
    expect(error.code).toBe('GW_INVALID_REQUEST');
    expect(error.kind).toBe('invalid_request');
    const paths = error.problems.map((p: { path: string }) => p.path).sort();
    expect(paths).toEqual(['event', 'payload', 'url']);
    expect(gateway.getSandbox('hook_primary')!.calls).toBe(0);
  });

  it('lead_enrichment takes up to 250 people in one request: one outcome per person; bad people are named by their path', async () => {
    const config = testConfig({}, (raw) => {
      raw.capabilities.lead_enrichment = { providers: [{ name: 'enricher', type: 'apollo', sandbox: { latencyMs: 0 } }] };
    });
    let gateway;
    ({ app, gateway } = await makeApp({ config }));
    const people = [{ email: 'ada.lovelace@analytical.example' }, { firstName: 'Grace', lastName: 'Hopper', domain: 'navy.example' }];
    const res = await app.inject({ method: 'POST', url: '/v1/capabilities/lead_enrichment', headers: api, payload: { people } });
    expect(res.statusCode).toBe(200);
    const { result } = res.json();
    expect(result.summary).toEqual({ matched: 2, notMatched: 0, failed: 0 });
    expect(result.people.map((p: { index: number; status: string }) => [p.index, p.status])).toEqual([
      [0, 'matched'],
      [1, 'matched'],
    ]);
    expect(result.people[0].result.person).toMatchObject({ firstName: 'Ada', lastName: 'Lovelace' });
    expect(gateway.getSandbox('enricher')!.calls).toBe(1);

    const bad = await app.inject({
      method: 'POST',
      url: '/v1/capabilities/lead_enrichment',
      headers: api,
      payload: { email: 'x@example.com', people: [{ email: 'a@example.com' }, { firstName: 'No' }] },
    });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .error.problems.map((p: { path: string }) => p.path)
        .sort(),
    ).toEqual(['email', 'people[1].email']);
    const tooMany = await app.inject({
      method: 'POST',
      url: '/v1/capabilities/lead_enrichment',
      headers: api,
      payload: { people: Array.from({ length: 251 }, (_, i) => ({ email: `p${i}@example.com` })) },
    });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error.problems).toEqual([expect.objectContaining({ path: 'people' })]);
    expect(gateway.getSandbox('enricher')!.calls).toBe(1);
  });

  it("a read over its provider's rate waits its turn (overflow wait): 30 concurrent enrichments at 10/s all succeed, paced", async () => {
    const config = testConfig({}, (raw) => {
      raw.capabilities.lead_enrichment = {
        providers: [
          { name: 'enricher', type: 'apollo', limits: { ratePerSecond: 10, burst: 1 }, sandbox: { latencyMs: 0 } },
          { name: 'enricher_backup', type: 'dropcontact', sandbox: { latencyMs: 0 } },
        ],
      };
    });
    let gateway;
    ({ app, gateway } = await makeApp({ config }));
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        app.inject({ method: 'POST', url: '/v1/capabilities/lead_enrichment', headers: api, payload: { email: `p${i}@example.com` } }),
      ),
    );
    expect(answers.map((r) => r.statusCode)).toEqual(Array(30).fill(200));
    expect(new Set(answers.map((r) => r.json<{ provider: string }>().provider))).toEqual(new Set(['enricher']));
    expect(gateway.getSandbox('enricher_backup')!.calls).toBe(0);
    // Never more than the burst plus 10/s over any stretch of the calls.
    const at = gateway
      .getSandbox('enricher')!
      .records.map((r) => r.at)
      .sort((x, y) => x - y);
    expect(at).toHaveLength(30);
    for (let i = 0; i + 10 < at.length; i++) expect(at[i + 10]! - at[i]!).toBeGreaterThanOrEqual(950);
    // The status shows the pace in force and the calls waiting for a turn.
    type Status = { capabilities: { capability: string; providers: { name: string; pace: unknown }[] }[] };
    const status = (await app.inject({ method: 'GET', url: '/v1/status', headers: api })).json<Status>();
    const enricher = status.capabilities.find((c) => c.capability === 'lead_enrichment')!.providers.find((p) => p.name === 'enricher');
    expect(enricher!.pace).toEqual({ ratePerSecond: 10, waiting: 0 });
  });

  it('400 for a body that is not JSON, and for a bad Idempotency-Key', async () => {
    ({ app } = await makeApp());
    const bad = await app.inject({
      method: 'POST',
      url: '/v1/capabilities/webhook_dispatch',
      headers: { ...api, 'content-type': 'application/json' },
      payload: '{"event":',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'GW_INVALID_REQUEST', problems: [{ path: '(body)' }] });
    const key = await app.inject({
      method: 'POST',
      url: '/v1/capabilities/webhook_dispatch',
      headers: { ...api, 'idempotency-key': 'x'.repeat(300) },
      payload: webhook(),
    });
    expect(key.statusCode).toBe(400);
    expect(key.json().error.problems[0].path).toBe('headers.idempotency-key');
  });

  it('415 for a body that is not JSON by content type', async () => {
    ({ app } = await makeApp());
    const res = await app.inject({
      method: 'POST',
      url: '/v1/capabilities/webhook_dispatch',
      headers: { ...api, 'content-type': 'text/xml' },
      payload: '<a/>',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe('HTTP_UNSUPPORTED_MEDIA_TYPE');
  });

  it('404 for an unknown or unconfigured capability', async () => {
    ({ app } = await makeApp());
    for (const name of ['nope', 'email_sending']) {
      const res = await app.inject({ method: 'POST', url: `/v1/capabilities/${name}`, headers: api, payload: {} });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('GW_UNKNOWN_CAPABILITY');
      const get = await app.inject({ method: 'GET', url: `/v1/capabilities/${name}`, headers: api });
      expect(get.statusCode).toBe(404);
    }
  });

  it('202 with a delivery id when every provider fails and the outbox takes the request', async () => {
    let gateway;
    ({ app, gateway } = await makeApp());
    gateway.getSandbox('hook_primary')!.setFailure('transient');
    gateway.getSandbox('hook_backup')!.setFailure('transient');
    const res = await app.inject({
      method: 'POST',
      url: '/v1/capabilities/webhook_dispatch',
      headers: { ...api, 'idempotency-key': 'queued-1' },
      payload: webhook(),
    });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body).toMatchObject({ idempotencyKey: 'queued-1', state: 'pending', location: `/v1/deliveries/${body.deliveryId}` });
    const got = await app.inject({ method: 'GET', url: body.location, headers: api });
    expect(got.statusCode).toBe(200);
    expect(got.json().delivery).toMatchObject({ id: body.deliveryId, idempotencyKey: 'queued-1', capability: 'webhook_dispatch' });
  });

  it('a capability down states its outbox backlog: in capability_down, /v1/status, /metrics and the dashboard data', async () => {
    let gateway, runtime;
    ({ app, gateway, runtime } = await makeApp());
    for (const name of ['hook_primary', 'hook_backup']) gateway.findProvider(name)!.isolate();
    for (const key of ['down-1', 'down-2']) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/capabilities/webhook_dispatch',
        headers: { ...api, 'idempotency-key': key },
        payload: webhook(),
      });
      expect(res.statusCode).toBe(202);
    }
    const { recommendations } = await runtime.selfCheck();
    const down = recommendations.find((r) => r.capability === 'webhook_dispatch' && r.issueKey === 'capability_down')!;
    expect(down.issue).toContain('2 deliveries wait in the outbox');
    expect(down.action).toContain('hook_primary, hook_backup');
    expect(down.action).not.toContain('above');
    const status = (await app.inject({ method: 'GET', url: '/v1/status', headers: api })).json();
    expect(status.capabilities.find((c: { capability: string }) => c.capability === 'webhook_dispatch')).toMatchObject({
      status: 'down',
      outboxBacklog: 2,
    });
    expect(status.capabilities.find((c: { capability: string }) => c.capability === 'email_verification')).toMatchObject({
      outboxBacklog: 0,
    });
    const metrics = (await app.inject({ method: 'GET', url: '/metrics', headers: api })).body;
    expect(metrics).toMatch(/^aicmo_outbox_backlog\{capability="webhook_dispatch"\} 2$/m);
    expect(metrics).toMatch(/^aicmo_outbox_backlog\{capability="email_verification"\} 0$/m);
  });

  it('with overflow failover, a read with no usable provider fails fast: 503 GW_NO_USABLE_PROVIDER with Retry-After, and the provider is not called again', async () => {
    let gateway;
    const config = testConfig({}, (raw) => void (raw.capabilities.email_verification!.overflow = 'failover'));
    ({ app, gateway } = await makeApp({ config }));
    const sandbox = gateway.getSandbox('verifier')!;
    sandbox.setFailure('rate_limited'); // the sandbox announces a 1 s reset
    const verify = () =>
      app.inject({ method: 'POST', url: '/v1/capabilities/email_verification', headers: api, payload: { email: 'ada@example.com' } });
    expect((await verify()).json().error.kind).toBe('rate_limited'); // called (and retried once after the 1 s reset)
    const calls = sandbox.calls;
    const res = await verify();
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toMatchObject({ code: 'GW_NO_USABLE_PROVIDER', retryAfterMs: expect.any(Number) });
    expect(Number(res.headers['retry-after'])).toBe(1);
    expect(sandbox.calls).toBe(calls);
  });

  it('503 with the attempts and the active recommendations when every provider fails (outbox off)', async () => {
    let gateway, runtime;
    ({ app, gateway, runtime } = await makeApp({ config: testConfig({}, (raw) => void (raw.delivery = { outbox: { enabled: false } })) }));
    gateway.getSandbox('hook_primary')!.setFailure('transient');
    gateway.getSandbox('hook_backup')!.setFailure('transient');
    for (let i = 0; i < 6; i++)
      await app.inject({ method: 'POST', url: '/v1/capabilities/webhook_dispatch', headers: api, payload: webhook() });
    await runtime.selfCheck();
    const res = await app.inject({ method: 'POST', url: '/v1/capabilities/webhook_dispatch', headers: api, payload: webhook() });
    expect(res.statusCode).toBe(503);
    const body = res.json();
    expect(['GW_ALL_PROVIDERS_FAILED', 'GW_NO_USABLE_PROVIDER']).toContain(body.error.code);
    expect(body.error.attempts.length).toBeGreaterThan(0);
    expect(body.error.idempotencyKey).toEqual(expect.any(String));
    expect(body.recommendations.length).toBeGreaterThan(0);
    expect(
      body.recommendations.every(
        (r: { capability: string; resolvedAt: null }) => r.capability === 'webhook_dispatch' && r.resolvedAt === null,
      ),
    ).toBe(true);
    expect(body.recommendations.some((r: { severity: string }) => r.severity === 'critical')).toBe(true);
  });

  it('422 when the provider rejects the request (no failover), 502 on unknown outcome', async () => {
    let gateway;
    ({ app, gateway } = await makeApp());
    gateway.getSandbox('hook_primary')!.setFailure('invalid_request');
    const rejected = await app.inject({ method: 'POST', url: '/v1/capabilities/webhook_dispatch', headers: api, payload: webhook() });
    expect(rejected.statusCode).toBe(422);
    expect(rejected.json().error).toMatchObject({ code: 'GW_PROVIDER_REJECTED', kind: 'invalid_request' });
    gateway.getSandbox('hook_primary')!.setFailure('unknown_outcome');
    const unknown = await app.inject({ method: 'POST', url: '/v1/capabilities/webhook_dispatch', headers: api, payload: webhook() });
    expect(unknown.statusCode).toBe(502);
    expect(unknown.json().error).toMatchObject({ code: 'GW_UNKNOWN_OUTCOME', kind: 'unknown_outcome' });
    expect(gateway.getSandbox('hook_backup')!.calls).toBe(0);
  });

  it('GET /v1/capabilities lists chains; GET one returns its status and request JSON Schema', async () => {
    ({ app } = await makeApp());
    const list = await app.inject({ method: 'GET', url: '/v1/capabilities', headers: api });
    expect(
      list
        .json()
        .capabilities.map((c: { capability: string }) => c.capability)
        .sort(),
    ).toEqual(['email_verification', 'webhook_dispatch']);
    const one = await app.inject({ method: 'GET', url: '/v1/capabilities/webhook_dispatch', headers: api });
    const body = one.json();
    expect(body).toMatchObject({ capability: 'webhook_dispatch', sideEffects: true, required: true, usableProviders: 2 });
    expect(body.providers.map((p: { name: string }) => p.name)).toEqual(['hook_primary', 'hook_backup']);
    expect(body.requestSchema.required).toEqual(expect.arrayContaining(['event', 'payload']));
  });
});

describe('status routes', () => {
  it('GET /v1/status returns the report with live figures and the reload state', async () => {
    ({ app } = await makeApp());
    await app.inject({ method: 'POST', url: '/v1/capabilities/webhook_dispatch', headers: api, payload: webhook() });
    const res = await app.inject({ method: 'GET', url: '/v1/status', headers: api });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.summary.providersTracked).toBe(3);
    expect(body.gateway).toMatchObject({ mode: 'dry_run', reload: { attempts: 0, error: null } });
    const primary = body.capabilities.find((c: { capability: string }) => c.capability === 'webhook_dispatch').providers[0];
    expect(primary).toMatchObject({
      name: 'hook_primary',
      health: expect.any(String),
      breakerState: 'closed',
      successRate: 1,
      windowCalls: 1,
    });
  });

  it('GET /v1/status shows the rate-limit state a provider reported on its last answer', async () => {
    ({ app } = await makeApp({
      config: testConfig({}, (raw) => {
        const hooks = raw.capabilities.webhook_dispatch!.providers;
        hooks[0] = { ...hooks[0]!, sandbox: { latencyMs: 0, rateLimit: { limit: 5, windowMs: 60_000 } } };
      }),
    }));
    type Status = { capabilities: { capability: string; providers: { rateLimit: unknown }[] }[] };
    const statusOf = async () =>
      (await app.inject({ method: 'GET', url: '/v1/status', headers: api }))
        .json<Status>()
        .capabilities.find((c) => c.capability === 'webhook_dispatch')!.providers;
    expect((await statusOf())[0]!.rateLimit).toBeNull();
    await app.inject({ method: 'POST', url: '/v1/capabilities/webhook_dispatch', headers: api, payload: webhook() });
    const [primary, backup] = await statusOf();
    expect(primary!.rateLimit).toMatchObject({
      window: '60000ms',
      remaining: 4,
      limit: 5,
      resetAt: expect.any(Number),
      observedAt: expect.any(Number),
    });
    expect(backup!.rateLimit).toBeNull();
  });

  it('POST /v1/self-check probes every provider; /v1/checks and /v1/recommendations read the history', async () => {
    let gateway;
    ({ app, gateway } = await makeApp());
    gateway.getSandbox('verifier')!.setFailure('auth');
    const run = await app.inject({ method: 'POST', url: '/v1/self-check', headers: api });
    expect(run.statusCode).toBe(200);
    const results = run.json().results as { provider: string; success: boolean }[];
    expect(results.map((r) => r.provider).sort()).toEqual(['hook_backup', 'hook_primary', 'verifier']);
    expect(results.find((r) => r.provider === 'verifier')!.success).toBe(false);

    const checks = await app.inject({ method: 'GET', url: '/v1/checks?provider=verifier&limit=5', headers: api });
    expect(checks.json().checks.length).toBeGreaterThan(0);
    expect(checks.json().checks.every((c: { provider: string }) => c.provider === 'verifier')).toBe(true);
    const limited = await app.inject({ method: 'GET', url: '/v1/checks?limit=1', headers: api });
    expect(limited.json().checks).toHaveLength(1);

    const critical = await app.inject({ method: 'GET', url: '/v1/recommendations?severity=critical', headers: api });
    const recs = critical.json().recommendations as { provider: string; severity: string }[];
    expect(recs.some((r) => r.provider === 'verifier')).toBe(true);
    expect(recs.every((r) => r.severity === 'critical')).toBe(true);
    const info = await app.inject({ method: 'GET', url: '/v1/recommendations?severity=info&capability=webhook_dispatch', headers: api });
    expect(
      info
        .json()
        .recommendations.every(
          (r: { severity: string; capability: string }) => r.severity === 'info' && r.capability === 'webhook_dispatch',
        ),
    ).toBe(true);
  });

  it('400 for bad query parameters, each with its path', async () => {
    ({ app } = await makeApp());
    const sev = await app.inject({ method: 'GET', url: '/v1/recommendations?severity=urgent', headers: api });
    expect(sev.statusCode).toBe(400);
    expect(sev.json().error.problems[0].path).toBe('querystring.severity');
    const lim = await app.inject({ method: 'GET', url: '/v1/checks?limit=0', headers: api });
    expect(lim.statusCode).toBe(400);
    expect(lim.json().error.problems[0].path).toBe('querystring.limit');
  });
});

describe('admin routes', () => {
  it('isolate, reset and force-closed act on the provider and are recorded with the key name', async () => {
    let gateway;
    ({ app, gateway } = await makeApp());
    const iso = await app.inject({ method: 'POST', url: '/v1/providers/hook_primary/isolate', headers: admin });
    expect(iso.statusCode).toBe(200);
    expect(iso.json()).toMatchObject({ action: 'isolate', actor: 'api:ops', provider: { name: 'hook_primary', breakerState: 'isolated' } });
    const served = await app.inject({ method: 'POST', url: '/v1/capabilities/webhook_dispatch', headers: api, payload: webhook() });
    expect(served.json().provider).toBe('hook_backup');
    const fc = await app.inject({ method: 'POST', url: '/v1/providers/hook_primary/force-closed', headers: admin });
    expect(fc.json().provider.breakerState).toBe('forced_closed');
    const reset = await app.inject({ method: 'POST', url: '/v1/providers/hook_primary/reset', headers: admin });
    expect(reset.json().provider.breakerState).toBe('closed');
    const events = await gateway.store.queryEvents({ type: 'admin_action' });
    expect(events.map((e) => [e.actor, e.data?.action])).toEqual([
      ['api:ops', 'reset'],
      ['api:ops', 'force_closed'],
      ['api:ops', 'isolate'],
    ]);
  });

  it('404 for an unknown provider', async () => {
    ({ app } = await makeApp());
    const res = await app.inject({ method: 'POST', url: '/v1/providers/ghost/isolate', headers: admin });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('GW_UNKNOWN_PROVIDER');
  });
});

describe('health and misc routes', () => {
  it('/healthz is public and never depends on providers', async () => {
    let gateway;
    ({ app, gateway } = await makeApp());
    for (const p of gateway.listProviders()) p.isolate();
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('ok');
  });

  it('/readyz is 503 naming the required capability with no usable provider', async () => {
    let gateway;
    ({ app, gateway } = await makeApp());
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    gateway.findProvider('verifier')!.isolate(); // not required: still ready
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    gateway.findProvider('hook_primary')!.isolate();
    gateway.findProvider('hook_backup')!.isolate();
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ ready: false, down: ['webhook_dispatch'] });
  });

  it('unknown routes are 404 HTTP_NOT_FOUND; every response carries a request id', async () => {
    ({ app } = await makeApp());
    const res = await app.inject({ method: 'GET', url: '/v2/nothing', headers: { 'x-request-id': 'trace-123' } });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('HTTP_NOT_FOUND');
    expect(res.headers['x-request-id']).toBe('trace-123');
    const generated = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'bad id with spaces' } });
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('GET / serves the dashboard with a strict CSP; server.dashboard=false turns it off', async () => {
    ({ app } = await makeApp());
    const page = await app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.body).toContain('/dashboard/app.js');
    for (const asset of ['/dashboard/app.js', '/dashboard/app.css'])
      expect((await app.inject({ method: 'GET', url: asset })).statusCode).toBe(200);
    await app.close();
    ({ app } = await makeApp({ server: { dashboard: false } }));
    expect((await app.inject({ method: 'GET', url: '/' })).statusCode).toBe(404);
  });
});
