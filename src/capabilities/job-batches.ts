/**
 * How a job merges its single items into the batch form of a capability's request, so the
 * adapters can use the providers' batch endpoints (a 20,000-contact import goes to Airtable 10
 * records a request and to HubSpot 100, not one record a request; a list of addresses to
 * ZeroBounce 200 a request), and how the answer is split
 * back into one outcome per item. Consecutive items merge when they carry one entry each and
 * share everything else (the envelope).
 */
import type { CrmSyncRequest, CrmSyncResult } from './crm-sync.js';
import type { EmailSendingRequest, EmailSendingResult } from './email-sending.js';
import { EMAIL_VERIFICATION_BATCH_MAX, type EmailVerificationBatchResult, type EmailVerificationRequest } from './email-verification.js';
import type { LeadEnrichmentBatchResult, LeadEnrichmentRequest } from './lead-enrichment.js';

export type EntryOutcome = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } };

export interface JobBatch {
  /** Entries in one merged request. */
  max: number;
  /** The item's one entry and the envelope it shares with its neighbours, or null when it cannot merge. */
  split(request: unknown): { envelope: string; entry: unknown } | null;
  /** One request of the envelope with these entries. */
  merge(envelope: string, entries: readonly unknown[]): unknown;
  /** The outcome of the k-th entry in the merged request's result. */
  outcome(result: unknown, k: number): EntryOutcome;
  /** JSON path of the count of failed entries in the result (for a job's counts). */
  failedPath: string;
}

const crmSyncBatch: JobBatch = {
  max: 100,
  split(request) {
    const r = request as CrmSyncRequest;
    if (r.records.length !== 1) return null;
    const { records, ...envelope } = r;
    return { envelope: JSON.stringify(envelope), entry: records[0] };
  },
  merge: (envelope, entries) => ({ ...(JSON.parse(envelope) as object), records: entries }),
  outcome(result, k) {
    const rec = (result as CrmSyncResult).records.find((r) => r.index === k);
    if (!rec) return { ok: false, error: { code: 'GW_PROVIDER_BAD_RESPONSE', message: `no outcome for record ${k}` } };
    return rec.status === 'failed'
      ? { ok: false, error: rec.error ?? { code: 'GW_PROVIDER_REJECTED', message: 'record failed' } }
      : { ok: true, result: { ...rec, index: 0 } };
  },
  failedPath: '$.failed',
};

const leadEnrichmentBatch: JobBatch = {
  max: 250,
  split(request) {
    const { people, ...single } = request as LeadEnrichmentRequest;
    if (people === undefined) return { envelope: '{}', entry: single };
    return people.length === 1 ? { envelope: '{}', entry: people[0] } : null;
  },
  merge: (_envelope, entries) => ({ people: entries }),
  outcome(result, k) {
    const p = (result as LeadEnrichmentBatchResult).people.find((x) => x.index === k);
    if (!p) return { ok: false, error: { code: 'GW_PROVIDER_BAD_RESPONSE', message: `no outcome for person ${k}` } };
    if (p.status === 'failed') return { ok: false, error: p.error ?? { code: 'GW_PROVIDER_TRANSIENT', message: 'person failed' } };
    return { ok: true, result: p.result ?? { matched: false, person: null, organization: null, emailStatus: 'unknown' } };
  },
  failedPath: '$.summary.failed',
};

/** Addresses to verify, 200 a request (ZeroBounce's batch validation; other verifiers check them in turn). */
const emailVerificationBatch: JobBatch = {
  max: EMAIL_VERIFICATION_BATCH_MAX,
  split(request) {
    const { email, emails } = request as EmailVerificationRequest;
    if (email !== undefined) return { envelope: '{}', entry: email };
    return emails?.length === 1 ? { envelope: '{}', entry: emails[0] } : null;
  },
  merge: (_envelope, entries) => ({ emails: entries }),
  outcome(result, k) {
    const r = (result as EmailVerificationBatchResult).results.find((x) => x.index === k);
    if (!r) return { ok: false, error: { code: 'GW_PROVIDER_BAD_RESPONSE', message: `no outcome for address ${k}` } };
    if (r.status === 'failed' || !r.result)
      return { ok: false, error: r.error ?? { code: 'GW_PROVIDER_REJECTED', message: 'address failed' } };
    return { ok: true, result: r.result };
  },
  failedPath: '$.summary.failed',
};

/**
 * Emails of one campaign (the same message to one address each) as one message sent
 * `separately`: the ESPs' batch endpoints take them 500-1000 a call (SMTP and SES one a call).
 * 500 is Postmark's batch maximum, the smallest of the batch endpoints.
 */
const emailSendingBatch: JobBatch = {
  max: 500,
  split(request) {
    const r = request as EmailSendingRequest;
    const to = Array.isArray(r.to) ? r.to : [r.to];
    if (to.length !== 1 || r.cc !== undefined || r.bcc !== undefined || r.separately) return null;
    const { to: _to, ...envelope } = r;
    return { envelope: JSON.stringify(envelope), entry: to[0] };
  },
  merge: (envelope, entries) => ({ ...(JSON.parse(envelope) as object), to: entries, separately: true }),
  outcome(result, k) {
    const m = (result as EmailSendingResult).messages?.[k];
    if (!m) return { ok: false, error: { code: 'GW_PROVIDER_BAD_RESPONSE', message: `no outcome for copy ${k}` } };
    if (m.error || m.messageId === undefined) return { ok: false, error: m.error ?? { code: 'GW_PROVIDER_REJECTED', message: 'not sent' } };
    return { ok: true, result: { messageId: m.messageId, accepted: [m.to], rejected: [] } };
  },
  failedPath: '$.failed',
};

export const JOB_BATCHES: Readonly<Record<string, JobBatch>> = Object.freeze({
  crm_sync: crmSyncBatch,
  lead_enrichment: leadEnrichmentBatch,
  email_verification: emailVerificationBatch,
  email_sending: emailSendingBatch,
});
