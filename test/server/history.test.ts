/**
 * The last hour of traffic behind the dashboard's charts: minutes, p95, success rate, failovers,
 * backlog and the hour's end (TrafficHistory on a set clock), and `GET /v1/history` fed by real
 * chains failing over in the sandbox.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HISTORY_MINUTES, TrafficHistory } from '../../src/server/metrics/history.js';
import { api, makeApp } from './helpers.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 11, 5, 10, 0, 0);

describe('TrafficHistory', () => {
  it('counts calls and failures per minute, with the p95 of the minute and the success rate of the hour', () => {
    let now = T0 + 5_000;
    const h = new TrafficHistory(() => now);
    for (let i = 1; i <= 100; i++) h.recordAttempt('email_sending', 'smtp', i % 10 !== 0, i);
    now += MINUTE;
    h.recordAttempt('email_sending', 'smtp', false, 500);
    h.recordFailover('email_sending');
    h.recordFailover('email_sending');
    h.recordBacklog(7);

    const view = h.snapshot();
    expect(view.minutes).toBe(HISTORY_MINUTES);
    expect(view.from).toBe(new Date(T0 + MINUTE - (HISTORY_MINUTES - 1) * MINUTE).toISOString());
    const [smtp] = view.providers;
    expect(smtp!.calls).toHaveLength(HISTORY_MINUTES);
    expect(smtp!.calls.slice(-2)).toEqual([100, 1]);
    expect(smtp!.failures.slice(-2)).toEqual([10, 1]);
    expect(smtp!.p95Ms.slice(-3)).toEqual([null, 95, 500]);
    expect(smtp!.successRate).toBeCloseTo(90 / 101, 6);
    expect(view.failovers).toEqual([{ capability: 'email_sending', counts: [...Array(HISTORY_MINUTES - 1).fill(0), 2], total: 2 }]);
    expect(view.backlog.slice(-2)).toEqual([null, 7]);
  });

  it('keeps a uniform sample of the latencies of a busy minute, and forgets what is older than the hour', () => {
    let now = T0;
    const h = new TrafficHistory(() => now);
    for (let i = 0; i < 10_000; i++) h.recordAttempt('crm_sync', 'airtable', true, i < 9_000 ? 10 : 1_000);
    const p95 = h.snapshot().providers[0]!.p95Ms.at(-1)!;
    expect([10, 1_000]).toContain(p95); // 10 % of the calls are slow: the 95th percentile is slow
    expect(p95).toBe(1_000);
    h.recordFailover('crm_sync');
    h.recordBacklog(3);

    now += HISTORY_MINUTES * MINUTE;
    h.recordBacklog(0);
    const later = h.snapshot();
    expect(later.providers).toEqual([]);
    expect(later.failovers).toEqual([]);
    expect(later.backlog.filter((b) => b !== null)).toEqual([0]);
  });
});

describe('GET /v1/history', () => {
  const closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });

  it('shows the failovers of real calls and both providers of the chain', async () => {
    const { app, gateway } = await makeApp();
    closers.push(
      () => app.close(),
      () => gateway.close(),
    );
    // The primary's sandbox fails every call: each request fails over to the backup.
    gateway.getSandbox('hook_primary')!.setFailure('transient');
    for (let i = 0; i < 3; i++) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/capabilities/webhook_dispatch',
        headers: api,
        payload: { event: 'e', payload: { i } },
      });
      expect(res.statusCode).toBe(200);
    }
    const res = await app.inject({ method: 'GET', url: '/v1/history', headers: api });
    expect(res.statusCode).toBe(200);
    const view = res.json<{
      providers: { provider: string; calls: number[]; failures: number[] }[];
      failovers: { capability: string; total: number }[];
    }>();
    const by = Object.fromEntries(view.providers.map((p) => [p.provider, p]));
    // The first request tries the primary twice (the chain's retry) and fails over; its circuit then
    // opens, and the next requests pass it over without a call (no failover: nothing failed).
    expect(by.hook_primary!.calls.at(-1)).toBe(2);
    expect(by.hook_primary!.failures.at(-1)).toBe(2);
    expect(by.hook_backup!.calls.at(-1)).toBe(3);
    expect(by.hook_backup!.failures.at(-1)).toBe(0);
    expect(view.failovers).toEqual([expect.objectContaining({ capability: 'webhook_dispatch', total: 1 })]);
    expect((await app.inject({ method: 'GET', url: '/v1/history' })).statusCode).toBe(401);
  });
});
