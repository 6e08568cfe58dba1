/** Realistic results for each capability, derived from the request so they are stable per key. */
import { createHash } from 'node:crypto';
import type {
  CrmSyncRequest,
  CrmSyncResult,
  EmailSendingRequest,
  EmailSendingResult,
  EmailVerificationResult,
  LeadEnrichmentPerson,
  LeadEnrichmentResult,
  SocialPostRequest,
  SocialPostResult,
  WebhookDispatchResult,
} from '../../capabilities/index.js';
import { separateResultOf } from '../../capabilities/email-sending.js';

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export function emailResult(req: EmailSendingRequest, key: string): EmailSendingResult {
  if (req.separately)
    return separateResultOf(asList(req.to).map((to, i) => ({ to, messageId: `<${shortHash(`${key}#${i}`)}@sandbox.aicmo.local>` })));
  return {
    messageId: `<${shortHash(key)}@sandbox.aicmo.local>`,
    accepted: [...asList(req.to), ...asList(req.cc), ...asList(req.bcc)],
    rejected: [],
    response: '250 2.0.0 OK (sandbox)',
  };
}

export function socialResult(capability: string, req: SocialPostRequest, key: string): SocialPostResult {
  const platform = capability.replace('social_posting_', '') as SocialPostResult['platform'];
  const id = shortHash(`${key}:${req.text}`);
  return { postId: `sandbox-${platform}-${id}`, url: `https://sandbox.invalid/${platform}/${id}`, platform };
}

export function crmResult(req: CrmSyncRequest, known: Set<string>, key: string): CrmSyncResult {
  let created = 0;
  let updated = 0;
  const records = req.records.map((r, index) => {
    // A plain create (no mergeOn) always makes a new record; the key and position make its id.
    const mergeValue = req.mergeOn ? req.mergeOn.map((f) => String(r.fields[f])).join('|') : `${key}#${index}`;
    const id = `rec${shortHash(mergeValue).slice(0, 14)}`;
    const isNew = !known.has(id);
    known.add(id);
    if (isNew) created++;
    else updated++;
    return { index, id, status: isNew ? ('created' as const) : ('updated' as const) };
  });
  return { created, updated, failed: 0, records };
}

export function enrichmentResult(req: LeadEnrichmentPerson, provider: string): LeadEnrichmentResult {
  const domain = req.domain ?? req.email?.split('@')[1];
  const local = req.email?.split('@')[0] ?? '';
  const [first, last] = local.includes('.') ? local.split('.') : [req.firstName, req.lastName];
  const cap = (s: string | undefined): string | undefined => (s ? s[0]!.toUpperCase() + s.slice(1) : undefined);
  const person: NonNullable<LeadEnrichmentResult['person']> = {};
  const sources: Record<string, string> = {};
  const set = <K extends keyof typeof person>(k: K, v: (typeof person)[K] | undefined): void => {
    if (v) {
      person[k] = v;
      sources[`person.${k}`] = provider;
    }
  };
  set('firstName', cap(req.firstName ?? first));
  set('lastName', cap(req.lastName ?? last));
  set('email', req.email);
  set('title', 'Head of Marketing');
  const organization = domain ? { name: cap(domain.split('.')[0]), domain, website: `https://${domain}` } : null;
  if (organization) for (const k of Object.keys(organization)) sources[`organization.${k}`] = provider;
  return { matched: true, person, organization, emailStatus: req.email ? 'verified' : 'unknown', sources };
}

export function verificationResult(email: string): EmailVerificationResult {
  const ok = /^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(email);
  if (!ok) return { email, status: 'undeliverable', reasons: ['syntax'] };
  if (/^(info|admin|support|sales)@/i.test(email)) return { email, status: 'risky', reasons: ['role'], role: true };
  return { email, status: 'deliverable', reasons: ['mx_found'], mx: [`mx.${email.split('@')[1]}`] };
}

export function webhookResult(key: string, now: number): WebhookDispatchResult {
  return { webhookId: key, status: 200, deliveredAt: new Date(now).toISOString() };
}
