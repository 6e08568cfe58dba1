import { z } from 'zod';
import { defineCapability } from './capability.js';

export const emailVerificationRequest = z.object({
  /** Checked by the verifier itself (syntax is one of the results), so only a loose shape here. */
  email: z.string().min(3).max(320),
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

export type EmailVerificationRequest = z.infer<typeof emailVerificationRequest>;
export type EmailVerificationResult = z.infer<typeof emailVerificationResult>;

export const emailVerification = defineCapability({
  name: 'email_verification',
  description: 'Tell whether an email address can receive mail',
  sideEffects: false,
  request: emailVerificationRequest,
  result: emailVerificationResult,
});
