import { z } from 'zod';
import { defineCapability } from './capability.js';

/** At most this many addresses in one request (ZeroBounce's batch validation maximum). */
export const EMAIL_VERIFICATION_BATCH_MAX = 200;

/** Checked by the verifier itself (syntax is one of the results), so only a loose shape here. */
const address = z.string().min(3).max(320);

/**
 * One address in `email`, or up to 200 in `emails`: ZeroBounce verifies them in one batch call
 * (`validatebatch`); the other verifiers check them one by one.
 */
export const emailVerificationRequest = z
  .object({
    email: address.optional(),
    /** Up to 200 addresses verified in one request; `email` must then be absent. */
    emails: z.array(address).min(1).max(EMAIL_VERIFICATION_BATCH_MAX).optional(),
  })
  .superRefine((r, ctx) => {
    if (r.emails !== undefined && r.email !== undefined)
      ctx.addIssue({ code: 'custom', path: ['email'], message: 'not allowed with emails' });
    if (r.emails === undefined && r.email === undefined) ctx.addIssue({ code: 'custom', path: ['email'], message: 'required (or emails)' });
  });

export const VERIFICATION_STATUSES = ['deliverable', 'undeliverable', 'risky', 'unknown'] as const;

export const emailVerificationResult = z.object({
  email: z.string(),
  status: z.enum(VERIFICATION_STATUSES),
  reasons: z.array(z.string()),
  disposable: z.boolean().optional(),
  role: z.boolean().optional(),
  freeProvider: z.boolean().optional(),
  mx: z.array(z.string()).optional(),
  suggestion: z.string().optional(),
});

/** The answer to an `emails` request: one outcome per address, in request order, and the counts. */
export const emailVerificationBatchResult = z.object({
  results: z.array(
    z.object({
      index: z.number().int(),
      status: z.enum(['verified', 'failed']),
      result: emailVerificationResult.optional(),
      error: z.object({ code: z.string(), message: z.string() }).optional(),
    }),
  ),
  summary: z.object({ verified: z.number().int(), failed: z.number().int() }),
});

export type EmailVerificationRequest = z.infer<typeof emailVerificationRequest>;
export type EmailVerificationResult = z.infer<typeof emailVerificationResult>;
export type EmailVerificationBatchResult = z.infer<typeof emailVerificationBatchResult>;
export type AddressOutcome = EmailVerificationBatchResult['results'][number];

/** The batch answer from every address's outcome (in index order). */
export function emailVerificationBatchResultOf(results: readonly AddressOutcome[]): EmailVerificationBatchResult {
  const failed = results.filter((r) => r.status === 'failed').length;
  return { results: [...results], summary: { verified: results.length - failed, failed } };
}

export const emailVerification = defineCapability({
  name: 'email_verification',
  description: 'Tell whether an email address (or up to 200 in `emails`) can receive mail',
  sideEffects: false,
  request: emailVerificationRequest,
  result: z.union([emailVerificationResult, emailVerificationBatchResult]),
  example: { email: 'ada@example.com' },
});
