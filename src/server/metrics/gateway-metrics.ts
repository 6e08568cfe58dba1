/**
 * Prometheus metrics on an own prom-client Registry. Counters and histograms are fed from the
 * chain events (attempts, failovers) and from each invocation the server runs; gauges
 * (provider health, breaker state, in-flight, recommendations) are read from the live status
 * at scrape time. Labels are capability and provider names and fixed enums only, so
 * cardinality is bounded by the configuration.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AttemptEvent, ChainStatusReport, FailoverEvent } from '../../core/chain.js';
import type { Disposer } from '../../core/events.js';
import { HEALTH_GAUGE, type BreakerState } from '../../core/health.js';
import type { Severity } from '../../store/records.js';

/** Gauge value of each breaker state (documented in docs/metrics.md). */
const BREAKER_GAUGE: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2, isolated: 3, forced_closed: 4 };

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const SEVERITIES: Severity[] = ['critical', 'warning', 'info'];

/** What the gauges read at scrape time. */
export interface MetricsSource {
  chains(): ChainStatusReport[];
  activeRecommendations(): Promise<{ severity: Severity }[]>;
  /** True while the last config reload failed (the previous config keeps running). */
  reloadFailed(): boolean;
  /** Deliveries the outbox holds per capability (waiting or in progress). */
  outboxBacklog(): Promise<Record<string, number>>;
  /** Each alert channel's deliveries and failures so far. */
  alertChannels?(): { name: string; delivered: number; failed: number }[];
}

/** The subset of ProviderChain the metrics subscribe to. */
export interface ObservedChain {
  readonly capability: string;
  onAttempt(listener: (e: AttemptEvent) => void): Disposer;
  onFailover(listener: (e: FailoverEvent) => void): Disposer;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly invocations: Counter<'capability' | 'provider' | 'outcome'>;
  private readonly invocationSeconds: Histogram<'capability' | 'outcome'>;
  private readonly invocationsInFlight: Gauge<'capability'>;
  private readonly attempts: Counter<'capability' | 'provider' | 'outcome'>;
  private readonly attemptSeconds: Histogram<'capability' | 'provider'>;
  private readonly failovers: Counter<'capability' | 'provider' | 'kind'>;
  private readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  private readonly mailWebhooks: Counter<'receiver' | 'outcome' | 'reason'>;
  private readonly mailEvents: Counter<'receiver' | 'result'>;
  /** HTTP requests being served (inc on arrival, dec when the connection is done with it). */
  readonly httpInFlight: Gauge;

  constructor(source: MetricsSource, opts: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.invocations = new Counter({
      name: 'aicmo_invocations_total',
      help: 'Invocations by capability, serving provider (none when failed) and outcome (success or failure kind).',
      labelNames: ['capability', 'provider', 'outcome'],
      registers,
    });
    this.invocationSeconds = new Histogram({
      name: 'aicmo_invocation_duration_seconds',
      help: 'Invocation latency, all attempts included.',
      labelNames: ['capability', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.invocationsInFlight = new Gauge({
      name: 'aicmo_invocations_in_flight',
      help: 'Invocations running now.',
      labelNames: ['capability'],
      registers,
    });
    this.attempts = new Counter({
      name: 'aicmo_attempts_total',
      help: 'Provider attempts by outcome (success, a failure kind, or skipped).',
      labelNames: ['capability', 'provider', 'outcome'],
      registers,
    });
    this.attemptSeconds = new Histogram({
      name: 'aicmo_attempt_duration_seconds',
      help: 'Latency of attempts that reached the provider.',
      labelNames: ['capability', 'provider'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.failovers = new Counter({
      name: 'aicmo_failovers_total',
      help: 'Failovers away from a provider, by the failure kind that caused them.',
      labelNames: ['capability', 'provider', 'kind'],
      registers,
    });
    this.httpRequests = new Counter({
      name: 'aicmo_http_requests_total',
      help: 'HTTP requests by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    new Counter({
      name: 'aicmo_alert_deliveries_total',
      help: 'Alerts per channel: delivered, or failed after every retry (the counts of the running configuration).',
      labelNames: ['channel', 'outcome'],
      registers,
      collect() {
        this.reset();
        for (const c of source.alertChannels?.() ?? []) {
          this.inc({ channel: c.name, outcome: 'delivered' }, c.delivered);
          this.inc({ channel: c.name, outcome: 'failed' }, c.failed);
        }
      },
    });
    this.mailWebhooks = new Counter({
      name: 'aicmo_mail_webhooks_total',
      help: 'Mail event webhooks by receiver: accepted (reason none), or refused and why (bad_signature, stale, replayed, ...); a refused one is never applied.',
      labelNames: ['receiver', 'outcome', 'reason'],
      registers,
    });
    this.mailEvents = new Counter({
      name: 'aicmo_mail_events_total',
      help: 'Mail events in accepted webhooks by receiver: applied, or duplicate (seen before, not applied again).',
      labelNames: ['receiver', 'result'],
      registers,
    });
    this.httpInFlight = new Gauge({ name: 'aicmo_http_requests_in_flight', help: 'HTTP requests being served now.', registers });

    const providerGauge = (name: string, help: string, value: (p: ChainStatusReport['providers'][number]) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['capability', 'provider'],
        registers,
        collect() {
          this.reset();
          for (const chain of source.chains())
            for (const p of chain.providers) this.set({ capability: chain.capability, provider: p.name }, value(p));
        },
      });
    providerGauge(
      'aicmo_provider_health',
      'Provider health: 0 healthy, 1 degraded, 2 unhealthy, 3 unknown.',
      (p) => HEALTH_GAUGE[p.health],
    );
    providerGauge(
      'aicmo_provider_breaker_state',
      'Circuit breaker: 0 closed, 1 half-open, 2 open, 3 isolated, 4 forced closed.',
      (p) => BREAKER_GAUGE[p.breakerState],
    );
    providerGauge('aicmo_provider_in_flight', 'Attempts in flight per provider.', (p) => p.inFlight);
    new Gauge({
      name: 'aicmo_capability_usable_providers',
      help: 'Providers of the capability that could be called now.',
      labelNames: ['capability'],
      registers,
      collect() {
        this.reset();
        for (const chain of source.chains()) this.set({ capability: chain.capability }, chain.usableProviders);
      },
    });
    new Gauge({
      name: 'aicmo_recommendations_active',
      help: 'Active operator recommendations by severity.',
      labelNames: ['severity'],
      registers,
      async collect() {
        const active = await source.activeRecommendations();
        for (const s of SEVERITIES) this.set({ severity: s }, active.filter((r) => r.severity === s).length);
      },
    });
    new Gauge({
      name: 'aicmo_outbox_backlog',
      help: 'Deliveries waiting or in progress in the outbox, by capability.',
      labelNames: ['capability'],
      registers,
      async collect() {
        this.reset();
        const capabilities = source.chains().map((c) => c.capability);
        const backlog = await source.outboxBacklog();
        for (const capability of new Set([...capabilities, ...Object.keys(backlog)])) this.set({ capability }, backlog[capability] ?? 0);
      },
    });
    new Gauge({
      name: 'aicmo_config_reload_failed',
      help: '1 while the last config reload failed and the previous config keeps running.',
      registers,
      collect() {
        this.set(source.reloadFailed() ? 1 : 0);
      },
    });
    if (opts.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Subscribes to the attempt and failover events of every chain; returns the disposer. */
  observe(chains: readonly ObservedChain[]): Disposer {
    const disposers = chains.flatMap((chain) => [
      chain.onAttempt((e) => {
        this.attempts.inc({ capability: e.capability, provider: e.provider, outcome: e.outcome });
        if (e.outcome !== 'skipped') this.attemptSeconds.observe({ capability: e.capability, provider: e.provider }, e.latencyMs / 1000);
      }),
      chain.onFailover((e) => this.failovers.inc({ capability: e.capability, provider: e.from, kind: e.kind })),
    ]);
    return () => disposers.forEach((d) => d());
  }

  /** Marks an invocation of a configured capability as started; returns its start time for invocationEnded. */
  invocationStarted(capability: string): number {
    this.invocationsInFlight.inc({ capability });
    return performance.now();
  }

  /** Counts an invocation that invocationStarted marked, with its outcome and the provider that served it. */
  invocationEnded(capability: string, started: number, outcome: string, provider: string | null): void {
    this.invocationsInFlight.dec({ capability });
    this.invocations.inc({ capability, provider: provider ?? 'none', outcome });
    this.invocationSeconds.observe(
      { capability, outcome: outcome === 'success' ? 'success' : 'failure' },
      (performance.now() - started) / 1000,
    );
  }

  /** Counts one HTTP request by method, route pattern and status. */
  countRequest(method: string, route: string, status: number): void {
    this.httpRequests.inc({ method, route, status: String(status) });
  }

  /** Counts one mail event webhook of a configured receiver. */
  countMailWebhook(receiver: string, answer: { refused?: string; applied?: number; duplicates?: number }): void {
    if (answer.refused !== undefined) {
      this.mailWebhooks.inc({ receiver, outcome: 'refused', reason: answer.refused });
      return;
    }
    this.mailWebhooks.inc({ receiver, outcome: 'accepted', reason: 'none' });
    if (answer.applied) this.mailEvents.inc({ receiver, result: 'applied' }, answer.applied);
    if (answer.duplicates) this.mailEvents.inc({ receiver, result: 'duplicate' }, answer.duplicates);
  }

  async exposition(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}
