/** A zod schema of the `--json` document (schemaVersion 1), for consumers and for the tests that keep it stable. */
import { z } from 'zod';

const health = z.enum(['HEALTHY', 'DEGRADED', 'UNHEALTHY', 'UNKNOWN']);
const severity = z.enum(['critical', 'warning', 'info']);
const nullableNumber = z.number().nullable();
const errorInfo = z.object({ code: z.string(), kind: z.string(), message: z.string(), retryAfterMs: z.number().optional() });

const check = z.object({
  provider: z.string(),
  capability: z.string(),
  timestamp: z.number(),
  success: z.boolean(),
  latencyMs: z.number(),
  source: z.enum(['probe', 'traffic']),
  skipped: z.enum(['no_probe', 'not_configured']).optional(),
  health: health.optional(),
  error: errorInfo.optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  warnings: z.array(z.string()).optional(),
});

const recommendation = z.object({
  provider: z.string(),
  capability: z.string(),
  issueKey: z.string(),
  severity,
  health,
  issue: z.string(),
  action: z.string(),
  firstSeen: z.number(),
  lastSeen: z.number(),
  occurrences: z.number().int().min(1),
  resolvedAt: nullableNumber,
});

const provider = z.object({
  name: z.string(),
  type: z.string(),
  health,
  healthReason: z.string(),
  configured: z.boolean(),
  breakerState: z.enum(['closed', 'open', 'half_open', 'isolated', 'forced_closed']),
  latencyMs: nullableNumber,
  p95Ms: nullableNumber,
  openUntil: nullableNumber,
  cooldownUntil: nullableNumber,
  lastError: z.object({ code: z.string(), kind: z.string(), message: z.string(), at: z.number() }).nullable(),
  lastCheckedAt: nullableNumber,
  metrics: z.object({ checks: z.number(), successRate: nullableNumber, meanLatencyMs: nullableNumber, p95LatencyMs: nullableNumber }),
});

export const statusJsonSchema = z.object({
  schemaVersion: z.literal(1),
  generatedAt: z.iso.datetime(),
  source: z.enum(['full check', 'status from store']),
  mode: z.enum(['live', 'dry_run']),
  configFile: z.string(),
  store: z.string(),
  overall: z.enum(['healthy', 'warning', 'critical']),
  exitCode: z.union([z.literal(0), z.literal(1), z.literal(2)]),
  summary: z.object({
    providersTracked: z.number().int(),
    checksRecorded: z.number().int(),
    successRate: nullableNumber,
    activeRecommendations: z.object({ critical: z.number(), warning: z.number(), info: z.number(), total: z.number() }),
    overall: z.enum(['healthy', 'warning', 'critical']),
  }),
  capabilities: z.array(
    z.object({
      capability: z.string(),
      sideEffects: z.boolean(),
      strategy: z.string(),
      usableProviders: z.number().int(),
      status: z.enum(['ok', 'degraded', 'down']),
      providers: z.array(provider),
    }),
  ),
  history: z.array(check),
  recommendations: z.array(recommendation),
  resolvedRecommendations: z.array(recommendation),
});
