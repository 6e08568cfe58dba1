import { z } from 'zod';
import { FAILURE_KINDS } from '../../core/errors.js';

const failingKinds = FAILURE_KINDS.filter((k) => k !== 'rejected_local' && k !== 'not_configured');

/** Fault injection for dry-run providers, so failover and recovery can be watched without credentials. */
export const sandboxOptions = z
  .object({
    /** Latency: a fixed number of ms or a uniform range. */
    latencyMs: z.union([z.number().min(0).max(600_000), z.object({ min: z.number().min(0), max: z.number().min(0) })]).default(0),
    /** Probability (0..1) of each failure kind per call. */
    errorRate: z.partialRecord(z.enum(failingKinds as [string, ...string[]]), z.number().min(0).max(1)).default({}),
    /** Probability (0..1) that a call hangs until its deadline. */
    hangRate: z.number().min(0).max(1).default(0),
    /** Periodic outages: every `everySec` seconds (from start), fail for `durationSec` with `kind`. */
    outages: z
      .array(
        z.object({
          afterSec: z.number().min(0).default(0),
          durationSec: z.number().positive(),
          everySec: z.number().positive().optional(),
          kind: z.enum(failingKinds as [string, ...string[]]).default('transient'),
        }),
      )
      .default([]),
    /** Provider-side rate limit: at most `limit` calls per `windowMs`, then rate_limited until the window resets. */
    rateLimit: z.object({ limit: z.number().int().positive(), windowMs: z.number().int().positive() }).optional(),
    /** The sandbox acts on a key only once, like a provider that deduplicates. */
    deduplicates: z.boolean().default(false),
    /** Probe fails (to see recommendations) even when calls would succeed. */
    probeFails: z.enum(['auth', 'transient']).optional(),
    /** How many recorded deliveries to keep in memory. */
    keepRecords: z.number().int().min(0).max(100_000).default(1_000),
    /** At most this many bytes of recorded requests (JSON size); the oldest go first, and a larger request is recorded without its body. */
    keepRecordBytes: z
      .number()
      .int()
      .min(0)
      .max(1024 * 1024 * 1024)
      .default(8 * 1024 * 1024),
    /** Seed for reproducible fault injection. */
    seed: z.number().int().optional(),
  })
  .strict();

export type SandboxOptions = z.infer<typeof sandboxOptions>;
export type SandboxOptionsInput = z.input<typeof sandboxOptions>;
