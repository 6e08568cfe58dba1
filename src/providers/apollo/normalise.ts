/** Apollo person -> lead_enrichment result, with `sources` naming the provider for each field. */
import type { LeadEnrichmentResult } from '../../capabilities/lead-enrichment.js';
import { EnrichmentResultBuilder, noMatch, type EmailStatus } from '../enrichment/result-builder.js';

type Json = Record<string, unknown>;

const STATUS: Record<string, EmailStatus> = {
  verified: 'verified',
  unverified: 'unverified',
  extrapolated: 'unverified',
  guessed: 'unverified',
  likely_to_engage: 'unverified',
  invalid: 'invalid',
  bounced: 'invalid',
  accept_all: 'catch_all',
  catch_all: 'catch_all',
  unavailable: 'unknown',
};

function apolloEmailStatus(status: unknown, hasEmail: boolean): EmailStatus {
  if (!hasEmail) return 'unknown';
  return typeof status === 'string' ? (STATUS[status.toLowerCase()] ?? 'unknown') : 'unknown';
}

export function normaliseApolloPerson(person: unknown, provider: string): LeadEnrichmentResult {
  if (typeof person !== 'object' || person === null) return noMatch();
  const p = person as Json;
  // Apollo returns a placeholder address when the email is not unlocked for this key.
  const email = typeof p.email === 'string' && !/^email_not_unlocked@/i.test(p.email) ? p.email : undefined;
  const phones = Array.isArray(p.phone_numbers) ? (p.phone_numbers as Json[]) : [];
  const b = new EnrichmentResultBuilder(provider)
    .person('firstName', p.first_name)
    .person('lastName', p.last_name)
    .person('fullName', p.name)
    .person('title', p.title)
    .person('email', email)
    .person('phone', phones[0]?.sanitized_number ?? phones[0]?.raw_number ?? p.sanitized_phone)
    .person('linkedinUrl', p.linkedin_url)
    .person('location', [p.city, p.state, p.country].filter((v) => typeof v === 'string' && v).join(', '))
    .emailStatus(apolloEmailStatus(p.email_status, email !== undefined));
  const org = typeof p.organization === 'object' && p.organization !== null ? (p.organization as Json) : undefined;
  if (org) {
    b.organization('name', org.name)
      .organization('domain', org.primary_domain)
      .organization('website', org.website_url)
      .organization('linkedinUrl', org.linkedin_url)
      .organization('employees', org.estimated_num_employees);
  }
  return b.build();
}
