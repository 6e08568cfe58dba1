/**
 * The shapes the HTTP API answers with, as zod schemas turned into the JSON Schemas of the
 * OpenAPI document (./document.ts). Request bodies and capability results come from the zod
 * schemas that validate them (src/capabilities/); the views here follow the route files that
 * build them (routes/*.ts), and test/server/openapi.test.ts validates a real answer of every
 * route against them, so a field added to a view without its schema fails there.
 *
 * Objects are `looseObject`: a caller must accept fields added in a later version.
 */
import { z } from 'zod';
import { FAILURE_KINDS } from '../../core/errors.js';
import { DELIVERY_STATES } from '../../delivery/outbox.js';
import { MAIL_EVENT_TYPES, SUPPRESSION_REASONS } from '../../store/mail-data.js';

const iso = z.iso.datetime({ offset: true });
const epochMs = z.number().int().describe('Epoch milliseconds');
const health = z.enum(['HEALTHY', 'DEGRADED', 'UNHEALTHY', 'UNKNOWN']);
const breakerState = z.enum(['closed', 'open', 'half_open', 'isolated', 'forced_closed']);
const severity = z.enum(['critical', 'warning', 'info']);
const kind = z.enum(FAILURE_KINDS);
const deliveryCounts = z.looseObject(Object.fromEntries(DELIVERY_STATES.map((s) => [s, z.number().int()])));

const problem = z.object({ path: z.string(), message: z.string() });

const attempt = z.looseObject({
  provider: z.string(),
  outcome: z.enum(['success', 'skipped', ...FAILURE_KINDS]),
  code: z.string().optional(),
  message: z.string().optional(),
  latencyMs: z.number(),
  retryAfterMs: z.number().optional(),
  panic: z.boolean().optional(),
  hedge: z.boolean().optional(),
});

const lastError = z.looseObject({ code: z.string(), kind, message: z.string(), at: epochMs, option: z.string().optional() }).nullable();

const recommendation = z.looseObject({
  provider: z.string().describe('A provider name, or * for the whole capability'),
  capability: z.string(),
  issueKey: z.string(),
  severity,
  health,
  issue: z.string(),
  action: z.string().describe('What the operator should change'),
  firstSeen: epochMs,
  lastSeen: epochMs,
  occurrences: z.number().int(),
  resolvedAt: epochMs.nullable(),
});

const healthCheck = z.looseObject({
  provider: z.string(),
  capability: z.string(),
  timestamp: epochMs,
  success: z.boolean(),
  latencyMs: z.number(),
  source: z.enum(['probe', 'traffic']),
  skipped: z.enum(['no_probe', 'not_configured']).optional(),
  health: health.optional(),
  error: z.looseObject({ code: z.string(), kind, message: z.string() }).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  warnings: z.array(z.string()).optional(),
});

/** What every view of a provider says about it. */
const providerFields = {
  name: z.string(),
  type: z.string(),
  health,
  healthReason: z.string(),
  configured: z.boolean(),
  breakerState,
  latencyMs: z.number().nullable(),
  p95Ms: z.number().nullable(),
  successRate: z.number().nullable(),
  windowCalls: z.number().int(),
  lastError,
};

/** One provider as its chain reports it (GET /v1/capabilities/:capability, the admin actions). */
const providerStatus = z.looseObject({
  ...providerFields,
  capability: z.string(),
  inFlight: z.number().int(),
  openUntil: epochMs.nullable(),
  cooldownUntil: epochMs.nullable(),
});

const chainStatus = z.looseObject({
  capability: z.string(),
  sideEffects: z.boolean(),
  strategy: z.string(),
  usableProviders: z.number().int(),
  providers: z.array(providerStatus),
});

/** An error: the code callers match on, the failure kind, a message and what was tried. */
const errorBody = z.looseObject({
  error: z.looseObject({
    code: z.string().describe('Stable error code (docs/errors.md), e.g. GW_INVALID_REQUEST, GW_ALL_PROVIDERS_FAILED, HTTP_RATE_LIMITED'),
    kind: kind.optional(),
    message: z.string(),
    capability: z.string().optional(),
    provider: z.string().optional(),
    retryAfterMs: z.number().optional().describe('When to try again (also in the Retry-After header)'),
    problems: z.array(problem).optional().describe('Every invalid field with its path (400)'),
    attempts: z.array(attempt).optional().describe('What was tried and why each attempt failed'),
    idempotencyKey: z.string().optional(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
  recommendations: z.array(recommendation).optional().describe('503 on a capability: what the operator should change'),
});

const accepted = z.looseObject({
  deliveryId: z.string(),
  idempotencyKey: z.string(),
  state: z.enum(DELIVERY_STATES),
  location: z.string().describe('Poll this path (GET /v1/deliveries/{id}) for the outcome'),
  replayed: z.boolean(),
});

const mailEvent = z.looseObject({
  type: z.enum(MAIL_EVENT_TYPES),
  address: z.string(),
  at: iso,
  provider: z.string(),
  eventId: z.string(),
  messageId: z.string().optional(),
  detail: z.string().optional(),
});

const delivery = z.looseObject({
  id: z.string(),
  idempotencyKey: z.string(),
  capability: z.string(),
  state: z.enum(DELIVERY_STATES),
  attempts: z.number().int(),
  createdAt: iso,
  updatedAt: iso,
  nextAttemptAt: iso.nullable(),
  provider: z.string().optional(),
  result: z.unknown().optional().describe('The capability result, once delivered'),
  lastError: z.looseObject({ code: z.string(), message: z.string() }).optional(),
  events: z.array(mailEvent).optional().describe('email_sending: what the ESP reported about the message'),
});

const ledgerEntry = z.looseObject({
  idempotencyKey: z.string(),
  capability: z.string(),
  state: z.enum(['in_flight', 'succeeded', 'failed', 'queued', 'unknown_outcome']),
  createdAt: iso,
  updatedAt: iso,
  expiresAt: iso,
  provider: z.string().optional(),
  deliveryId: z.string().optional(),
  error: z.looseObject({ code: z.string(), kind, message: z.string() }).optional(),
  resolvedBy: z.string().optional(),
});

const job = z.looseObject({
  id: z.string(),
  key: z.string().optional(),
  capability: z.string(),
  state: z.enum(['receiving', 'running', 'paused', 'cancelled', 'completed']),
  spread: z.boolean(),
  items: z.number().int(),
  counts: deliveryCounts,
  providers: z.record(z.string(), z.number().int()).describe('Items delivered, by provider'),
  ratePerSecond: z.number(),
  etaSeconds: z.number().nullable(),
  createdAt: iso,
  updatedAt: iso,
});

const suppression = z.looseObject({
  address: z.string(),
  reason: z.enum(SUPPRESSION_REASONS),
  source: z.string(),
  at: iso,
  detail: z.string().optional(),
});

/** One provider in the status report: its live figures and those of its check history. */
const liveProvider = z.looseObject({
  ...providerFields,
  metrics: z.looseObject({ checks: z.number().int(), successRate: z.number().nullable() }),
});

/** The response schemas by component name. */
export const RESPONSE_SCHEMAS = {
  Error: errorBody,
  Attempt: attempt,
  Accepted: accepted,
  Delivery: delivery,
  LedgerEntry: ledgerEntry,
  MailEvent: mailEvent,
  Job: job,
  Suppression: suppression,
  Recommendation: recommendation,
  HealthCheck: healthCheck,
  ProviderStatus: providerStatus,
  ChainStatus: chainStatus,
  Status: z.looseObject({
    generatedAt: epochMs,
    summary: z.looseObject({
      providersTracked: z.number().int(),
      successRate: z.number().nullable(),
      overall: z.enum(['healthy', 'warning', 'critical']),
    }),
    capabilities: z.array(
      z.looseObject({
        capability: z.string(),
        status: z.enum(['ok', 'degraded', 'down']),
        usableProviders: z.number().int(),
        outboxBacklog: z.number().int(),
        providers: z.array(liveProvider),
      }),
    ),
    recommendations: z.array(recommendation),
    gateway: z.looseObject({ mode: z.enum(['dry_run', 'live']), configSource: z.string(), startedAt: epochMs }),
    alerts: z.array(
      z.looseObject({
        name: z.string(),
        type: z.enum(['webhook', 'slack', 'pagerduty']),
        delivered: z.number().int(),
        failed: z.number().int().describe('Alerts not delivered after every retry'),
        retries: z.number().int(),
        lastFailure: z.looseObject({ at: epochMs, reason: z.string() }).nullable(),
      }),
    ),
  }),
  History: z.looseObject({
    from: iso.describe('The first minute; each array holds one value per minute from here, oldest first'),
    minutes: z.number().int(),
    providers: z.array(
      z.looseObject({
        capability: z.string(),
        provider: z.string(),
        calls: z.array(z.number().int()),
        failures: z.array(z.number().int()),
        p95Ms: z.array(z.number().nullable()),
        successRate: z.number().nullable(),
      }),
    ),
    failovers: z.array(z.looseObject({ capability: z.string(), counts: z.array(z.number().int()), total: z.number().int() })),
    backlog: z.array(z.number().int().nullable()).describe('Deliveries waiting in the outbox; null for a minute without a sample'),
  }),
  SelfCheck: z.looseObject({ startedAt: epochMs, finishedAt: epochMs, results: z.array(healthCheck) }),
  Deliverability: z.looseObject({
    at: iso,
    windowHours: z.number(),
    thresholds: z.record(z.string(), z.number()),
    providers: z.array(
      z.looseObject({
        provider: z.string(),
        counts: z.record(z.string(), z.number().int()),
        complaintRate: z.number().nullable(),
        hardBounceRate: z.number().nullable(),
      }),
    ),
    hourly: z.array(z.looseObject({ provider: z.string(), hour: iso, counts: z.record(z.string(), z.number().int()) })),
  }),
} as const;

/** The manual suppression body of PUT /v1/suppressions/{address} (the route validates with the same schema). */
export const manualSuppression = z
  .object({
    reason: z.enum(SUPPRESSION_REASONS).default('manual'),
    detail: z.string().max(300).optional(),
  })
  .strict();
