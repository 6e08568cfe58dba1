import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { api, makeApp, testConfig, webhook } from './helpers.js';
import { parseExposition, PROMTOOL, promtoolCheck, type Family } from './prom-text.js';

let app: FastifyInstance;
afterEach(async () => {
  await app?.close();
});

const value = (fams: Map<string, Family>, family: string, name: string, labels: Record<string, string>) =>
  fams.get(family)?.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

async function scrape(): Promise<{ text: string; fams: Map<string, Family> }> {
  const res = await app.inject({ method: 'GET', url: '/metrics', headers: api });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toContain('text/plain');
  return { text: res.body, fams: parseExposition(res.body) };
}

describe('/metrics', () => {
  it('counts invocations, attempts and failovers from the chains, and exposes health and breaker gauges', async () => {
    let gateway;
    ({ app, gateway } = await makeApp());
    for (let i = 0; i < 3; i++)
      await app.inject({ method: 'POST', url: '/v1/capabilities/webhook_dispatch', headers: api, payload: webhook() });
    gateway.getSandbox('hook_primary')!.setFailure('transient');
    for (let i = 0; i < 2; i++)
      await app.inject({ method: 'POST', url: '/v1/capabilities/webhook_dispatch', headers: api, payload: webhook() });
    await app.inject({ method: 'POST', url: '/v1/capabilities/webhook_dispatch', headers: api, payload: { event: '' } });
    gateway.findProvider('verifier')!.isolate();

    const { fams } = await scrape();
    const inv = 'aicmo_invocations_total';
    expect(value(fams, inv, inv, { capability: 'webhook_dispatch', provider: 'hook_primary', outcome: 'success' })).toBe(3);
    expect(value(fams, inv, inv, { capability: 'webhook_dispatch', provider: 'hook_backup', outcome: 'success' })).toBe(2);
    expect(value(fams, inv, inv, { capability: 'webhook_dispatch', provider: 'none', outcome: 'invalid_request' })).toBe(1);
    const att = 'aicmo_attempts_total';
    expect(value(fams, att, att, { provider: 'hook_primary', outcome: 'success' })).toBe(3);
    const failedPrimary = value(fams, att, att, { provider: 'hook_primary', outcome: 'transient' })!;
    expect(failedPrimary).toBeGreaterThanOrEqual(2);
    // A failover is counted when the primary really failed (not when its open circuit made the chain skip it).
    expect(
      value(fams, 'aicmo_failovers_total', 'aicmo_failovers_total', {
        capability: 'webhook_dispatch',
        provider: 'hook_primary',
        kind: 'transient',
      }),
    ).toBeGreaterThanOrEqual(1);
    const h = 'aicmo_attempt_duration_seconds';
    expect(value(fams, h, `${h}_count`, { provider: 'hook_primary' })).toBe(3 + failedPrimary);
    expect(
      value(fams, 'aicmo_invocation_duration_seconds', 'aicmo_invocation_duration_seconds_count', {
        capability: 'webhook_dispatch',
        outcome: 'success',
      }),
    ).toBe(5);
    expect(value(fams, 'aicmo_provider_health', 'aicmo_provider_health', { provider: 'verifier' })).toBe(2);
    expect(value(fams, 'aicmo_provider_breaker_state', 'aicmo_provider_breaker_state', { provider: 'verifier' })).toBe(3);
    expect(value(fams, 'aicmo_provider_breaker_state', 'aicmo_provider_breaker_state', { provider: 'hook_backup' })).toBe(0);
    expect(
      value(fams, 'aicmo_capability_usable_providers', 'aicmo_capability_usable_providers', { capability: 'email_verification' }),
    ).toBe(0);
    expect(value(fams, 'aicmo_recommendations_active', 'aicmo_recommendations_active', { severity: 'critical' })).toEqual(
      expect.any(Number),
    );
    expect(value(fams, 'aicmo_config_reload_failed', 'aicmo_config_reload_failed', {})).toBe(0);
    expect(
      value(fams, 'aicmo_http_requests_total', 'aicmo_http_requests_total', { route: '/v1/capabilities/:capability', status: '200' }),
    ).toBe(5);
  });

  it('counts requests and invocations in flight while they run, and back to nothing once they end or the client leaves', async () => {
    ({ app } = await makeApp({
      config: testConfig({}, (raw) => {
        raw.capabilities.webhook_dispatch!.providers[0]!.sandbox = { latencyMs: 1_000 };
      }),
    }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const post = (signal?: AbortSignal) =>
      fetch(`${url}/v1/capabilities/webhook_dispatch`, {
        method: 'POST',
        headers: { ...api, 'content-type': 'application/json' },
        body: JSON.stringify(webhook()),
        ...(signal ? { signal } : {}),
      });
    const gauges = async () => {
      const fams = parseExposition(await (await fetch(`${url}/metrics`, { headers: api })).text());
      return {
        http: value(fams, 'aicmo_http_requests_in_flight', 'aicmo_http_requests_in_flight', {}),
        invocations: value(fams, 'aicmo_invocations_in_flight', 'aicmo_invocations_in_flight', { capability: 'webhook_dispatch' }),
      };
    };
    const running = [post(), post(), post()];
    const leaving = new AbortController();
    const abandoned = post(leaving.signal).catch((e: unknown) => e);
    /** Scrapes until the gauges read `want` (or 5 s pass), and returns the last reading. */
    const settle = async (want: Awaited<ReturnType<typeof gauges>>) => {
      let seen = await gauges();
      for (let i = 0; i < 100 && JSON.stringify(seen) !== JSON.stringify(want); i++) {
        await new Promise((r) => setTimeout(r, 50));
        seen = await gauges();
      }
      return seen;
    };
    // Four POSTs in flight plus the scrape itself.
    expect(await settle({ http: 5, invocations: 4 })).toEqual({ http: 5, invocations: 4 });
    leaving.abort();
    expect(await abandoned).toBeInstanceOf(Error);
    for (const res of await Promise.all(running)) expect(res.status).toBe(200);
    // The abandoned invocation still finishes on the server; then only the scrape is in flight.
    expect(await settle({ http: 1, invocations: 0 })).toEqual({ http: 1, invocations: 0 });
  });

  it('keeps label cardinality bounded: unknown capabilities and raw URLs never become labels', async () => {
    ({ app } = await makeApp());
    for (let i = 0; i < 5; i++) {
      await app.inject({ method: 'POST', url: `/v1/capabilities/made_up_${i}`, headers: api, payload: {} });
      await app.inject({ method: 'GET', url: `/random/${i}`, headers: api });
    }
    const { text, fams } = await scrape();
    expect(text).not.toContain('made_up_');
    expect(text).not.toContain('/random/');
    const labels = new Set<string>();
    for (const f of fams.values())
      if (f.name.startsWith('aicmo_'))
        for (const s of f.samples) for (const [k, v] of Object.entries(s.labels)) if (k === 'capability') labels.add(v);
    expect([...labels].sort()).toEqual(['email_verification', 'webhook_dispatch']);
    expect(value(fams, 'aicmo_http_requests_total', 'aicmo_http_requests_total', { route: 'unmatched', status: '404' })).toBe(5);
  });

  it('round-trips: the parsed exposition agrees with the registry, and promtool accepts it', async () => {
    ({ app } = await makeApp());
    await app.inject({ method: 'POST', url: '/v1/capabilities/webhook_dispatch', headers: api, payload: webhook() });
    const { text, fams } = await scrape();
    const json = await app.gatewayRuntime.metrics.registry.getMetricsAsJSON();
    expect([...fams.keys()].sort()).toEqual(json.map((m) => m.name).sort());
    for (const metric of json) {
      const fam = fams.get(metric.name)!;
      const type = String(metric.type);
      expect(fam.type, metric.name).toBe(type);
      // The HTTP metrics move with the scrape itself; every other counter and gauge must agree exactly.
      if ((type === 'counter' || type === 'gauge') && !metric.name.startsWith('aicmo_http_')) {
        for (const v of metric.values)
          expect(value(fams, metric.name, metric.name, v.labels as Record<string, string>), metric.name).toBe(v.value);
      }
    }
    const checked = promtoolCheck(text);
    if (checked === null) {
      if (process.env.CI) throw new Error(`${PROMTOOL} is missing: install Debian's prometheus package`);
      console.warn(`skipping promtool check: ${PROMTOOL} not installed (apt-get install prometheus)`);
      return;
    }
    expect(checked.output).toBe('');
    expect(checked.ok).toBe(true);
  });
});
