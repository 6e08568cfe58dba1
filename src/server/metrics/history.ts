/**
 * The last hour of traffic, minute by minute, for the dashboard's charts (`GET /v1/history`):
 * per provider the attempts it served or failed and their p95 latency, the failovers of each
 * capability, and the outbox backlog. Fed by the chains' attempt and failover events (the ones
 * the Prometheus counters count), kept in memory: a restart starts an empty hour, and Prometheus
 * keeps the long history.
 */
import type { ObservedChain } from './gateway-metrics.js';

const MINUTE = 60_000;
export const HISTORY_MINUTES = 60;
/** Latencies kept per provider and minute for the p95 (a uniform sample beyond this). */
const SAMPLES = 200;

interface ProviderMinute {
  calls: number;
  failures: number;
  /** How many latencies were offered (the sample keeps at most SAMPLES of them). */
  seen: number;
  latencies: number[];
}

interface ProviderSeries {
  capability: string;
  provider: string;
  minutes: Map<number, ProviderMinute>;
}

/** One provider's hour: a value per minute, oldest first (`from` is the first minute). */
interface ProviderHistory {
  capability: string;
  provider: string;
  calls: number[];
  failures: number[];
  /** p95 attempt latency of the minute; null for a minute without calls. */
  p95Ms: (number | null)[];
  /** Success rate over the hour; null without calls. */
  successRate: number | null;
}

export interface HistoryView {
  /** The first minute of the series (ISO); each array has HISTORY_MINUTES values, one per minute. */
  from: string;
  minutes: number;
  providers: ProviderHistory[];
  failovers: { capability: string; counts: number[]; total: number }[];
  /** Deliveries waiting in the outbox, sampled; null for a minute without a sample. */
  backlog: (number | null)[];
}

export class TrafficHistory {
  private readonly providers = new Map<string, ProviderSeries>();
  private readonly failovers = new Map<string, Map<number, number>>();
  private readonly backlog = new Map<number, number>();
  private newest = 0;

  constructor(private readonly now: () => number) {}

  /** Subscribes to the attempts and failovers of every chain; returns the disposer. */
  observe(chains: readonly ObservedChain[]): () => void {
    const disposers = chains.flatMap((chain) => [
      chain.onAttempt((e) => {
        if (e.outcome !== 'skipped') this.recordAttempt(e.capability, e.provider, e.outcome === 'success', e.latencyMs);
      }),
      chain.onFailover((e) => this.recordFailover(e.capability)),
    ]);
    return () => disposers.forEach((d) => d());
  }

  recordAttempt(capability: string, provider: string, ok: boolean, latencyMs: number): void {
    const minute = this.minute();
    const key = `${capability}\u0000${provider}`;
    let series = this.providers.get(key);
    if (!series) this.providers.set(key, (series = { capability, provider, minutes: new Map() }));
    let m = series.minutes.get(minute);
    if (!m) series.minutes.set(minute, (m = { calls: 0, failures: 0, seen: 0, latencies: [] }));
    m.calls++;
    if (!ok) m.failures++;
    m.seen++;
    if (m.latencies.length < SAMPLES) m.latencies.push(latencyMs);
    else {
      // Reservoir sampling: every latency of the minute has the same chance to be in the sample.
      const slot = Math.floor(Math.random() * m.seen);
      if (slot < SAMPLES) m.latencies[slot] = latencyMs;
    }
  }

  recordFailover(capability: string): void {
    const minute = this.minute();
    let counts = this.failovers.get(capability);
    if (!counts) this.failovers.set(capability, (counts = new Map<number, number>()));
    counts.set(minute, (counts.get(minute) ?? 0) + 1);
  }

  /** The outbox backlog now (the last sample of a minute stands for it). */
  recordBacklog(total: number): void {
    this.backlog.set(this.minute(), total);
  }

  snapshot(): HistoryView {
    const last = this.minute();
    const first = last - (HISTORY_MINUTES - 1) * MINUTE;
    const each = <T>(value: (minute: number) => T): T[] => Array.from({ length: HISTORY_MINUTES }, (_, i) => value(first + i * MINUTE));
    const providers = [...this.providers.values()].map((s) => {
      const calls = each((t) => s.minutes.get(t)?.calls ?? 0);
      const failures = each((t) => s.minutes.get(t)?.failures ?? 0);
      const total = calls.reduce((a, b) => a + b, 0);
      const failed = failures.reduce((a, b) => a + b, 0);
      return {
        capability: s.capability,
        provider: s.provider,
        calls,
        failures,
        p95Ms: each((t) => p95(s.minutes.get(t)?.latencies)),
        successRate: total === 0 ? null : (total - failed) / total,
      };
    });
    const failovers = [...this.failovers.entries()].map(([capability, counts]) => {
      const series = each((t) => counts.get(t) ?? 0);
      return { capability, counts: series, total: series.reduce((a, b) => a + b, 0) };
    });
    return {
      from: new Date(first).toISOString(),
      minutes: HISTORY_MINUTES,
      providers: providers.filter((p) => p.successRate !== null),
      failovers: failovers.filter((f) => f.total > 0),
      backlog: each((t) => this.backlog.get(t) ?? null),
    };
  }

  /** The current minute; when it changes, minutes older than the hour are dropped. */
  private minute(): number {
    const minute = Math.floor(this.now() / MINUTE) * MINUTE;
    if (minute !== this.newest) {
      this.newest = minute;
      const cutoff = minute - HISTORY_MINUTES * MINUTE;
      const prune = (m: Map<number, unknown>) => {
        for (const t of m.keys()) if (t <= cutoff) m.delete(t);
      };
      for (const s of this.providers.values()) prune(s.minutes);
      for (const f of this.failovers.values()) prune(f);
      prune(this.backlog);
    }
    return minute;
  }
}

function p95(latencies: number[] | undefined): number | null {
  if (!latencies?.length) return null;
  const sorted = [...latencies].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)]! * 10) / 10;
}
