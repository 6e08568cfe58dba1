/** Aggregates over kept health-check history: success rate, mean and p95 latency. */
import type { HealthCheckResult, ProviderMetrics } from './types.js';

export function aggregateChecks(checks: readonly HealthCheckResult[]): ProviderMetrics {
  // Skipped checks (no probe, not configured) say nothing about success or latency.
  const real = checks.filter((c) => c.skipped === undefined);
  if (real.length === 0) return { checks: 0, successRate: null, meanLatencyMs: null, p95LatencyMs: null };
  const ok = real.filter((c) => c.success).length;
  const latencies = real.map((c) => c.latencyMs).sort((a, b) => a - b);
  const mean = latencies.reduce((s, v) => s + v, 0) / latencies.length;
  return {
    checks: real.length,
    successRate: round(ok / real.length, 4),
    meanLatencyMs: round(mean, 1),
    p95LatencyMs: percentile(latencies, 0.95),
  };
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil(p * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
