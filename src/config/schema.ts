/** The configuration schema: every section with its defaults. Provider options are checked per type afterwards. */
import { createPublicKey } from 'node:crypto';
import { z } from 'zod';
import { CAPABILITY_NAMES } from '../capabilities/index.js';

const ms = z
  .number()
  .int()
  .min(0)
  .max(7 * 24 * 3_600_000);
const rate = z.number().min(0).max(1);

const limitsSchema = z
  .object({
    concurrency: z.number().int().min(0),
    queue: z.number().int().min(0),
    ratePerSecond: z.number().min(0),
    burst: z.number().int().min(1),
    attemptTimeoutMs: ms.min(1),
    abortGraceMs: ms.max(60_000),
  })
  .partial()
  .strict();

const breakerSchema = z
  .object({
    consecutiveFailures: z.number().int().min(1).max(1_000_000),
    failureRateThreshold: rate,
    minimumCalls: z.number().int().min(1).max(1_000_000),
    slowCallMs: ms.min(1),
    slowCallRateThreshold: rate,
    openMs: ms.min(1),
    maxOpenMs: ms.min(1),
    backoffMultiplier: z.number().min(1).max(10),
    jitter: rate,
    halfOpenMaxCalls: z.number().int().min(1).max(100),
    halfOpenTimeoutMs: ms.min(1),
    halfOpenMaxMs: ms.min(1),
    authOpenMs: ms.min(1),
    trialIntervalMs: ms.min(1),
  })
  .partial()
  .strict();

const healthSchema = z
  .object({
    minimumCalls: z.number().int().min(1).max(1_000_000),
    degradedFailureRate: rate,
    degradedSlowRate: rate,
    windowMs: ms.min(1000),
    windowBuckets: z.number().int().min(1).max(600),
    emaAlpha: z.number().gt(0).max(1),
  })
  .partial()
  .strict();

const cooldownSchema = z.object({ rateLimitedMs: ms, quotaMs: ms, maxMs: ms }).partial().strict();

const retrySchema = z
  .object({
    maxAttemptsPerProvider: z.number().int().min(1).max(10),
    backoffMs: ms,
    maxBackoffMs: ms,
    maxRetryAfterMs: ms,
    budgetRatio: z.number().min(0).max(10),
    budgetMinPerSecond: z.number().min(0).max(1_000_000),
  })
  .partial()
  .strict();

const providerEntrySchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'lower-case letters, digits and _ (start with a letter)'),
    type: z.string().min(1),
    enabled: z.boolean().default(true),
    options: z.record(z.string(), z.unknown()).default({}),
    weight: z.number().positive().max(1_000_000).default(1),
    limits: limitsSchema.optional(),
    breaker: breakerSchema.optional(),
    /** Fault injection used when this provider runs as a dry-run sandbox. */
    sandbox: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

const capabilityConfigSchema = z
  .object({
    strategy: z.enum(['priority', 'round_robin', 'weighted', 'lowest_latency']).default('priority'),
    panic: z.enum(['try_all', 'fail_fast']).default('try_all'),
    /** A busy provider: `wait` for a turn before the deadline (no spill to the next provider), or `failover` at once. */
    overflow: z.enum(['wait', 'failover']).default('wait'),
    /** Default: 30 s, or more when a provider of the chain needs it (Dropcontact: 120 s); see validateConfig. */
    deadlineMs: ms.min(1).optional(),
    latencyTolerance: z.number().min(0).max(10).default(0.2),
    failoverOnUnknownOutcome: z.boolean().default(false),
    /** /readyz fails when a required capability has no usable provider. */
    required: z.boolean().default(false),
    hedging: z
      .object({ enabled: z.boolean().default(false), delayMs: ms.default(0) })
      .strict()
      .default({ enabled: false, delayMs: 0 }),
    retry: retrySchema.optional(),
    breaker: breakerSchema.optional(),
    providers: z.array(providerEntrySchema).min(1, 'at least one provider'),
  })
  .strict();

const apiKey = z.string().min(16, 'API keys need at least 16 characters').max(256, 'API keys may have at most 256 characters');
const keyEntry = z.union([apiKey, z.object({ name: z.string().min(1), key: apiKey }).strict()]);

const serverSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8080),
    apiKeys: z.array(keyEntry).default([]),
    adminKeys: z.array(keyEntry).default([]),
    bodyLimitBytes: z
      .number()
      .int()
      .min(1024)
      .max(50 * 1024 * 1024)
      .default(1024 * 1024),
    /** Per key: a runaway client is stopped, an ordinary burst from a trusted caller (2,000 quick requests) is not. */
    rateLimitPerMinute: z.number().int().min(0).max(1_000_000_000).default(6_000),
    /** Failed authentications per client address per minute; past it the address gets 429 before any key is compared. */
    authFailuresPerMinute: z.number().int().min(1).max(100_000).default(20),
    corsOrigins: z.array(z.string()).default([]),
    /** Host names (without port) the server answers to besides loopback names; set it to serve a name without API keys. */
    allowedHosts: z.array(z.string().min(1).max(253)).default([]),
    shutdownGraceMs: ms.default(10_000),
    dashboard: z.boolean().default(true),
    /** A request (headers and body) must arrive within this (408 after); slow senders cannot hold a socket. */
    requestTimeoutMs: z.number().int().min(1_000).max(600_000).default(30_000),
    /** The request headers must arrive within this. */
    headersTimeoutMs: z.number().int().min(1_000).max(600_000).default(10_000),
    /** An idle keep-alive connection is closed after this. */
    keepAliveTimeoutMs: z.number().int().min(1_000).max(600_000).default(5_000),
    /** At most this many open connections; more are refused at once. */
    maxConnections: z.number().int().min(1).max(1_000_000).default(1_024),
  })
  .strict();

const monitoringSchema = z
  .object({
    intervalSeconds: z.number().int().min(0).max(86_400).default(300),
    probeTimeoutMs: ms.min(1).default(10_000),
    probeConcurrency: z.number().int().min(1).max(64).default(4),
    historyMaxCount: z.number().int().min(10).max(10_000_000).default(10_000),
    historyMaxAgeHours: z
      .number()
      .min(1)
      .max(24 * 366)
      .default(168),
    /** Legacy form of `alerts` entries of type `webhook`. */
    alertWebhooks: z.array(z.object({ url: z.url(), secret: z.string().optional() }).strict()).default([]),
    alerts: z
      .array(
        z.discriminatedUnion('type', [
          z
            .object({ type: z.literal('webhook'), name: z.string().min(1).optional(), url: z.url(), secret: z.string().optional() })
            .strict(),
          /** A Slack incoming webhook URL (its path is the credential: shown by origin only). */
          z.object({ type: z.literal('slack'), name: z.string().min(1).optional(), url: z.url({ protocol: /^https?$/ }) }).strict(),
          z
            .object({
              type: z.literal('pagerduty'),
              name: z.string().min(1).optional(),
              /** The Events API v2 integration key of the service. Secret. */
              routingKey: z.string().min(20).max(64),
              url: z.url().default('https://events.pagerduty.com/v2/enqueue'),
            })
            .strict(),
        ]),
      )
      .default([]),
    /** Every alert channel retries a delivery that failed with a network error, 408, 429 or 5xx. */
    alertRetry: z
      .object({
        attempts: z.number().int().min(1).max(20).default(5),
        baseDelayMs: ms.default(1_000),
        maxDelayMs: ms.default(60_000),
      })
      .strict()
      .default({ attempts: 5, baseDelayMs: 1_000, maxDelayMs: 60_000 }),
    /** The dashboard's public URL, linked from Slack messages and PagerDuty incidents. */
    dashboardUrl: z.url({ protocol: /^https?$/ }).optional(),
  })
  .strict();

const deliverySchema = z
  .object({
    idempotencyTtlHours: z
      .number()
      .min(0.01)
      .max(24 * 30)
      .default(24),
    /** What a repeated key does while the first request is still in flight. */
    inFlight: z.enum(['wait', 'reject']).default('wait'),
    /**
     * How the SQLite ledger's own writes reach the disk (docs/delivery.md): `normal` survives a
     * process crash; `full` also an OS crash or power loss, at one fsync per group commit.
     */
    ledgerSync: z.enum(['normal', 'full']).default('normal'),
    /** The `memory:` store's ledger keeps at most this many keys and bytes; the oldest settled keys are forgotten first. */
    memoryLedger: z
      .object({
        maxEntries: z.number().int().min(100).max(10_000_000).default(100_000),
        maxMegabytes: z.number().min(1).max(16_384).default(64),
      })
      .strict()
      .default({ maxEntries: 100_000, maxMegabytes: 64 }),
    outbox: z
      .object({
        enabled: z.boolean().default(true),
        maxAgeHours: z
          .number()
          .min(0.01)
          .max(24 * 366)
          .default(24),
        baseDelayMs: ms.default(1_000),
        maxDelayMs: ms.default(5 * 60_000),
        leaseMs: ms.min(100).default(30_000),
        pollMs: ms.min(10).default(500),
        /** Deliveries in flight per capability on one instance; the provider's own pace still decides each call. */
        concurrency: z.number().int().min(1).max(1_000).default(16),
      })
      .strict()
      .default({ enabled: true, maxAgeHours: 24, baseDelayMs: 1_000, maxDelayMs: 300_000, leaseMs: 30_000, pollMs: 500, concurrency: 16 }),
  })
  .strict();

function isP256Key(base64: string): boolean {
  try {
    const key = createPublicKey({ key: Buffer.from(base64, 'base64'), format: 'der', type: 'spki' });
    return key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
  } catch {
    return false;
  }
}

function isRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

const receiverName = z.string().regex(/^[a-z][a-z0-9_]*$/, 'lower-case letters, digits and _, starting with a letter');
const tolerance = (seconds: number) =>
  z
    .number()
    .int()
    .min(0)
    .max(7 * 86_400)
    .default(seconds);

/**
 * Where an ESP (or another signed sender) posts mail events: `POST /v1/events/<name>`. Name it
 * after the provider whose mail it reports: its events count towards that provider's rates.
 */
const receiverSchema = z.discriminatedUnion('type', [
  z
    .object({
      name: receiverName,
      type: z.literal('sendgrid'),
      /** The signed event webhook's verification key (base64 DER, `MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE…`). */
      publicKey: z.string().refine(isP256Key, 'must be a P-256 public key in base64 DER (SendGrid: Signed Event Webhook verification key)'),
      /** Refuse events signed longer ago than this (0: no limit; SendGrid retries for 24 hours). */
      toleranceSeconds: tolerance(0),
    })
    .strict(),
  z
    .object({
      name: receiverName,
      type: z.literal('mailgun'),
      /** The HTTP webhook signing key. Secret. */
      signingKey: z.string().min(8),
      /** Refuse signatures older than this (0: no limit); a signature's token is accepted once. */
      toleranceSeconds: tolerance(3_600),
    })
    .strict(),
  z
    .object({
      name: receiverName,
      type: z.literal('ses'),
      /** The SNS topics whose notifications are accepted. */
      topicArns: z
        .array(z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'must be an SNS topic ARN'))
        .min(1),
      /** The signing-certificate and subscribe URLs allowed (checked before anything is fetched). */
      certUrlPattern: z
        .string()
        .refine(isRegExp, 'must be a regular expression')
        .default('^https://sns\\.[a-zA-Z0-9-]{3,}\\.amazonaws\\.com(\\.cn)?/'),
      /** Confirm a verified SubscriptionConfirmation by fetching its SubscribeURL. */
      confirmSubscriptions: z.boolean().default(true),
      toleranceSeconds: tolerance(3_600),
    })
    .strict(),
  z
    .object({
      name: receiverName,
      type: z.literal('postmark'),
      /** The Basic auth credentials set in the webhook URL (`https://user:pass@…`). The password is secret. */
      username: z.string().min(1),
      password: z.string().min(12, 'use at least 12 characters'),
    })
    .strict(),
  z
    .object({
      name: receiverName,
      type: z.literal('standard'),
      /** Standard Webhooks secrets (`whsec_…`); several during a key rotation. Secret. */
      secrets: z.array(z.string().regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, 'must be a whsec_ secret')).min(1),
      toleranceSeconds: tolerance(300),
    })
    .strict(),
]);

const deliverabilitySchema = z
  .object({
    suppression: z
      .object({
        /** Check every email against the suppression list before it is sent. */
        enabled: z.boolean().default(true),
        /** Soft bounces of one address within the window before it is suppressed. */
        softBounceLimit: z.number().int().min(1).max(100).default(3),
        softBounceWindowDays: z.number().min(1).max(90).default(7),
      })
      .strict()
      .default({ enabled: true, softBounceLimit: 3, softBounceWindowDays: 7 }),
    receivers: z
      .array(receiverSchema)
      .default([])
      .superRefine((list, ctx) => {
        const seen = new Set<string>();
        list.forEach((r, i) => {
          if (seen.has(r.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `receiver name "${r.name}" is used twice` });
          seen.add(r.name);
        });
      }),
    unsubscribe: z
      .object({
        /** Signs unsubscribe links (HMAC-SHA256). Without it bulk mail carries no one-click link. Secret. */
        secret: z.string().min(32, 'use at least 32 characters').optional(),
        /** The gateway's public URL the links point at (`https://mail-gw.example.com`). */
        baseUrl: z.url({ protocol: /^https?$/ }).optional(),
        /** Also offer `mailto:` unsubscribing to this address. */
        mailto: z.email().optional(),
        ttlDays: z.number().min(1).max(3_650).default(90),
      })
      .strict()
      .refine((u) => (u.secret === undefined) === (u.baseUrl === undefined), {
        path: ['baseUrl'],
        message: 'set secret and baseUrl together (the links need both)',
      })
      .default({ ttlDays: 90 }),
    thresholds: z
      .object({
        windowHours: z
          .number()
          .int()
          .min(1)
          .max(24 * 30)
          .default(24),
        /** Rates are judged only once a provider sent this many messages in the window. */
        minSent: z.number().int().min(1).max(10_000_000).default(200),
        complaintWarning: rate.default(0.001),
        complaintCritical: rate.default(0.003),
        hardBounceWarning: rate.default(0.02),
        hardBounceCritical: rate.default(0.05),
      })
      .strict()
      .refine((t) => t.complaintWarning <= t.complaintCritical, {
        path: ['complaintWarning'],
        message: 'must not exceed complaintCritical',
      })
      .refine((t) => t.hardBounceWarning <= t.hardBounceCritical, {
        path: ['hardBounceWarning'],
        message: 'must not exceed hardBounceCritical',
      })
      .default({
        windowHours: 24,
        minSent: 200,
        complaintWarning: 0.001,
        complaintCritical: 0.003,
        hardBounceWarning: 0.02,
        hardBounceCritical: 0.05,
      }),
  })
  .strict();

export type ReceiverConfig = z.output<typeof receiverSchema>;
export type DeliverabilityConfig = z.output<typeof deliverabilitySchema>;

export const configSchema = z
  .object({
    mode: z.enum(['live', 'dry_run']).default('dry_run'),
    store: z.string().min(1).default('sqlite:./data/gateway.db'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    server: serverSchema.default(serverSchema.parse({})),
    monitoring: monitoringSchema.default(monitoringSchema.parse({})),
    delivery: deliverySchema.default(deliverySchema.parse({})),
    deliverability: deliverabilitySchema.default(deliverabilitySchema.parse({})),
    defaults: z
      .object({ breaker: breakerSchema, health: healthSchema, cooldown: cooldownSchema, retry: retrySchema, limits: limitsSchema })
      .partial()
      .strict()
      .default({}),
    capabilities: z.partialRecord(z.enum(CAPABILITY_NAMES), capabilityConfigSchema),
  })
  .strict();

export type GatewayConfigInput = z.input<typeof configSchema>;
export type GatewayConfig = z.output<typeof configSchema>;
export type CapabilityConfig = z.output<typeof capabilityConfigSchema>;
export type ProviderEntry = z.output<typeof providerEntrySchema>;
