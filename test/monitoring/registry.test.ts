import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import type { Alert, AlertSink } from '../../src/monitoring/alerts/alert.js';
import { SelfCheckRegistry } from '../../src/monitoring/self-check-registry.js';
import type { HealthCheckResult, RecommendationInput } from '../../src/monitoring/types.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import { T0 } from './helpers.js';

class RecordingSink implements AlertSink {
  alerts: Alert[] = [];
  notify(a: Alert): void {
    this.alerts.push(a);
  }
  async flush(): Promise<void> {}
}

function setup(): { clock: ManualClock; reg: SelfCheckRegistry; sink: RecordingSink } {
  const clock = new ManualClock(T0);
  const sink = new RecordingSink();
  return { clock, sink, reg: new SelfCheckRegistry({ store: new MemoryStore({ clock }), clock, alerts: sink }) };
}

const check = (over: Partial<HealthCheckResult>): HealthCheckResult => ({
  provider: 'smtp_a',
  capability: 'email_sending',
  timestamp: T0,
  success: true,
  latencyMs: 100,
  source: 'probe',
  ...over,
});

const input = (over: Partial<RecommendationInput> = {}): RecommendationInput => ({
  provider: 'smtp_a',
  capability: 'email_sending',
  issueKey: 'auth',
  severity: 'critical',
  health: 'UNHEALTHY',
  issue: 'Credentials refused',
  action: 'Check capabilities.email_sending.providers[0].options.auth.pass',
  ...over,
});

describe('SelfCheckRegistry', () => {
  it('keeps health history newest first, filtered by provider and capability', async () => {
    const { reg } = setup();
    await reg.recordHealthCheck(check({ timestamp: T0 + 1 }));
    await reg.recordHealthChecks([
      check({ timestamp: T0 + 2, provider: 'smtp_b' }),
      check({ timestamp: T0 + 3, capability: 'reply_fetching' }),
    ]);
    expect((await reg.getHealthHistory()).map((c) => c.timestamp)).toEqual([T0 + 3, T0 + 2, T0 + 1]);
    expect(await reg.getHealthHistory({ provider: 'smtp_b' })).toHaveLength(1);
    expect(await reg.getHealthHistory({ capability: 'email_sending', limit: 1 })).toHaveLength(1);
  });

  it('aggregates success rate, mean and p95 latency per provider, ignoring skipped checks', async () => {
    const { reg } = setup();
    const latencies = [10, 20, 30, 40, 50, 60, 70, 80, 90, 1000];
    await reg.recordHealthChecks(latencies.map((l, i) => check({ latencyMs: l, success: i !== 0, timestamp: T0 + i })));
    await reg.recordHealthCheck(check({ skipped: 'no_probe', success: false, latencyMs: 0 }));
    const m = await reg.getProviderMetrics('smtp_a');
    expect(m).toEqual({ checks: 10, successRate: 0.9, meanLatencyMs: 145, p95LatencyMs: 1000 });
    expect(await reg.getProviderMetrics('nobody')).toEqual({ checks: 0, successRate: null, meanLatencyMs: null, p95LatencyMs: null });
  });

  it('deduplicates recommendations per (provider, issue) and counts occurrences', async () => {
    const { reg, clock } = setup();
    await reg.recordRecommendation(input());
    await clock.advance(1_000);
    const second = await reg.recordRecommendation(input({ issue: 'Credentials refused again' }));
    expect(second.record).toMatchObject({ occurrences: 2, firstSeen: T0, lastSeen: T0 + 1_000, issue: 'Credentials refused again' });
    await reg.recordRecommendation(input({ provider: 'smtp_b' }));
    expect(await reg.getRecommendations()).toHaveLength(2);
  });

  it('alerts on opening and escalation, suppresses repeats, alerts on resolution, keeps resolved in history', async () => {
    const { reg, sink, clock } = setup();
    await reg.recordRecommendation(input({ severity: 'warning', issueKey: 'transient' }));
    await reg.recordRecommendation(input({ severity: 'warning', issueKey: 'transient' }));
    await reg.recordRecommendation(input({ severity: 'critical', issueKey: 'transient' }));
    await reg.recordRecommendation(input({ severity: 'critical', issueKey: 'transient' }));
    await reg.recordRecommendation(input({ severity: 'info', issueKey: 'no_probe' }));
    expect(sink.alerts.map((a) => a.type)).toEqual(['recommendation.opened', 'recommendation.escalated']);
    await clock.advance(5_000);
    const resolved = await reg.resolveRecommendation('smtp_a', 'email_sending', 'transient');
    expect(resolved?.resolvedAt).toBe(T0 + 5_000);
    expect(await reg.resolveRecommendation('smtp_a', 'email_sending', 'transient')).toBeUndefined();
    expect(sink.alerts.map((a) => a.type)).toEqual(['recommendation.opened', 'recommendation.escalated', 'recommendation.resolved']);
    expect((await reg.getRecommendations()).map((r) => r.issueKey)).toEqual(['no_probe']);
    const all = await reg.getRecommendations({ includeResolved: true });
    expect(all.find((r) => r.issueKey === 'transient')?.resolvedAt).toBe(T0 + 5_000);
    // Reopening counts as a new alert and a further occurrence.
    const again = await reg.recordRecommendation(input({ severity: 'warning', issueKey: 'transient' }));
    expect(again.alert).toBe('recommendation.opened');
    expect(again.record).toMatchObject({ occurrences: 5, resolvedAt: null });
  });

  it('filters recommendations by severity', async () => {
    const { reg } = setup();
    await reg.recordRecommendation(input());
    await reg.recordRecommendation(input({ issueKey: 'slow', severity: 'warning' }));
    expect((await reg.getRecommendations({ severity: 'warning' })).map((r) => r.issueKey)).toEqual(['slow']);
  });

  it('reconcile resolves what no longer applies within the evaluated scope only', async () => {
    const { reg } = setup();
    await reg.recordRecommendation(input({ provider: 'a', issueKey: 'auth' }));
    await reg.recordRecommendation(input({ provider: 'b', issueKey: 'auth' }));
    await reg.recordRecommendation(input({ provider: '*', issueKey: 'no_redundancy', severity: 'warning' }));
    await reg.reconcileRecommendations('email_sending', ['a'], [input({ provider: 'a', issueKey: 'slow', severity: 'warning' })]);
    const active = (await reg.getRecommendations()).map((r) => `${r.provider}:${r.issueKey}`).sort();
    expect(active).toEqual(['a:slow', 'b:auth']);
  });

  it('builds a status report from stored snapshots and history', async () => {
    const { reg } = setup();
    await reg.store.saveSnapshots([
      {
        provider: 'smtp_a',
        capability: 'email_sending',
        savedAt: T0,
        snapshot: null,
        status: {
          name: 'smtp_a',
          type: 'smtp',
          capability: 'email_sending',
          health: 'UNHEALTHY',
          healthReason: 'circuit open',
          configured: true,
          latencyMs: 120.4,
          p50Ms: null,
          p95Ms: 300,
          p99Ms: null,
          successCount: 1,
          failureCount: 5,
          consecutiveFailures: 5,
          failingSince: null,
          windowCalls: 6,
          successRate: 0.16,
          slowRate: 0,
          lastSuccessAt: null,
          lastFailureAt: T0,
          lastError: null,
          lastCheckedAt: T0,
          breakerState: 'open',
          openUntil: T0 + 30_000,
          reopenCount: 0,
          cooldownUntil: null,
          cooldownKind: null,
          inFlight: 0,
          rateLimit: null,
          pace: { ratePerSecond: null, waiting: 0 },
        },
      },
    ]);
    await reg.recordHealthChecks([check({ success: false }), check({ success: true, timestamp: T0 + 1 })]);
    await reg.recordRecommendation(input());
    const r = await reg.getStatusReport();
    expect(r.summary).toEqual({
      providersTracked: 1,
      checksRecorded: 2,
      successRate: 0.5,
      activeRecommendations: { critical: 1, warning: 0, info: 0, total: 1 },
      overall: 'critical',
    });
    expect(r.capabilities[0]).toMatchObject({ capability: 'email_sending', usableProviders: 0, status: 'down' });
    expect(r.capabilities[0]!.providers[0]).toMatchObject({
      name: 'smtp_a',
      health: 'UNHEALTHY',
      breakerState: 'open',
      latencyMs: 120,
      metrics: { checks: 2, successRate: 0.5 },
    });
    expect(r.recentChecks[0]!.timestamp).toBe(T0 + 1);
  });

  it('clearHistory empties history and recommendations', async () => {
    const { reg } = setup();
    await reg.recordHealthCheck(check({}));
    await reg.recordRecommendation(input());
    await reg.clearHistory();
    expect(await reg.getHealthHistory()).toEqual([]);
    expect(await reg.getRecommendations({ includeResolved: true })).toEqual([]);
  });
});
