/** Maps a ZeroBounce /v2/validate answer to the email_verification result. */
import type { EmailVerificationResult } from '../../capabilities/email-verification.js';

type Status = EmailVerificationResult['status'];

const STATUS: Readonly<Record<string, Status>> = {
  valid: 'deliverable',
  invalid: 'undeliverable',
  spamtrap: 'undeliverable',
  abuse: 'undeliverable',
  do_not_mail: 'undeliverable',
  'catch-all': 'risky',
  unknown: 'unknown',
  '': 'unknown',
};

export interface ZeroBounceValidation {
  address?: unknown;
  status: string;
  sub_status?: unknown;
  free_email?: unknown;
  did_you_mean?: unknown;
  mx_found?: unknown;
  mx_record?: unknown;
}

export function isZeroBounceValidation(body: unknown): body is ZeroBounceValidation {
  return !!body && typeof body === 'object' && typeof (body as { status?: unknown }).status === 'string';
}

const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

export function toVerificationResult(body: ZeroBounceValidation, requested: string): EmailVerificationResult {
  const zbStatus = body.status.trim().toLowerCase();
  const sub = str(body.sub_status).toLowerCase();
  const reasons: string[] = [];
  if (zbStatus !== 'valid' && zbStatus !== 'unknown' && zbStatus !== '') reasons.push(zbStatus.replace(/-/g, '_'));
  if (!(zbStatus in STATUS)) reasons.push('unrecognised_status');
  if (sub !== '') reasons.push(sub);
  const result: EmailVerificationResult = {
    email: str(body.address) || requested,
    status: STATUS[zbStatus] ?? 'unknown',
    reasons,
    disposable: sub === 'disposable',
    role: sub.startsWith('role_based'),
    freeProvider: body.free_email === true || body.free_email === 'true',
  };
  // mx_found is the *string* "true"/"false" in the documented answer.
  if ((body.mx_found === 'true' || body.mx_found === true) && str(body.mx_record) !== '') result.mx = [str(body.mx_record)];
  if (str(body.did_you_mean) !== '') result.suggestion = str(body.did_you_mean);
  return result;
}
