/** Maps a NeverBounce single/check answer to the email_verification result. */
import type { EmailVerificationResult } from '../../capabilities/email-verification.js';

type Status = EmailVerificationResult['status'];

/** `result` as text, or its numeric code (0-4) in the documented order. */
const RESULTS = ['valid', 'invalid', 'disposable', 'catchall', 'unknown'] as const;

const STATUS: Readonly<Record<(typeof RESULTS)[number], Status>> = {
  valid: 'deliverable',
  invalid: 'undeliverable',
  disposable: 'undeliverable',
  catchall: 'risky',
  unknown: 'unknown',
};

export interface NeverBounceCheck {
  status: 'success';
  result: unknown;
  flags?: unknown;
  suggested_correction?: unknown;
}

export function isNeverBounceCheck(body: unknown): body is NeverBounceCheck {
  if (!body || typeof body !== 'object') return false;
  const b = body as { status?: unknown; result?: unknown };
  return b.status === 'success' && (typeof b.result === 'string' || typeof b.result === 'number');
}

export function toVerificationResult(body: NeverBounceCheck, email: string): EmailVerificationResult {
  const name = typeof body.result === 'number' ? RESULTS[body.result] : (body.result as string).toLowerCase();
  const known = name !== undefined && name in STATUS;
  const flags = Array.isArray(body.flags) ? body.flags.filter((f): f is string => typeof f === 'string') : [];
  const reasons: string[] = [];
  if (!known) reasons.push('unrecognised_result');
  else if (name === 'catchall') reasons.push('catch_all');
  else if (name !== 'valid' && name !== 'unknown') reasons.push(name);
  for (const f of flags) if (!reasons.includes(f)) reasons.push(f);
  const result: EmailVerificationResult = {
    email,
    status: known ? STATUS[name as keyof typeof STATUS] : 'unknown',
    reasons,
    disposable: name === 'disposable' || flags.includes('disposable_email'),
    role: flags.includes('role_account'),
    freeProvider: flags.includes('free_email_host'),
  };
  const suggestion = typeof body.suggested_correction === 'string' ? body.suggested_correction.trim() : '';
  if (suggestion !== '') result.suggestion = suggestion;
  return result;
}
