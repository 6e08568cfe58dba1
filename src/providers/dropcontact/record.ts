/** lead_enrichment request <-> Dropcontact input and enriched records. */
import type { LeadEnrichmentPerson, LeadEnrichmentResult } from '../../capabilities/lead-enrichment.js';
import { EnrichmentResultBuilder, domainOf, noMatch } from '../enrichment/result-builder.js';
import { bestEmail } from './qualification.js';

export function toInputRecord(req: LeadEnrichmentPerson): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (key: string, value: string | undefined): void => {
    if (value) out[key] = value;
  };
  put('email', req.email);
  put('first_name', req.firstName);
  put('last_name', req.lastName);
  put('full_name', req.fullName);
  put('company', req.company);
  put('website', req.domain);
  put('linkedin', req.linkedinUrl);
  return out;
}

/** Only populated attributes come back, and the input is echoed: matched means something was found. */
export function normaliseEnrichedRecord(record: unknown, provider: string): LeadEnrichmentResult {
  if (typeof record !== 'object' || record === null) return noMatch();
  const r = record as Record<string, unknown>;
  const email = bestEmail(r.email);
  const found = email || r.linkedin || r.job || r.mobile_phone || r.phone || r.company_linkedin || r.nb_employees || r.siren;
  if (!found) return noMatch();
  return (
    new EnrichmentResultBuilder(provider)
      .person('firstName', r.first_name)
      .person('lastName', r.last_name)
      .person('fullName', r.full_name)
      .person('title', r.job)
      // An address Dropcontact qualifies as invalid (or on an invalid or disposable domain) is never
      // the person's email; its status still says what was found.
      .person('email', email && email.status !== 'invalid' ? email.email : undefined)
      .person('phone', r.mobile_phone ?? r.phone)
      .person('linkedinUrl', r.linkedin)
      .organization('name', r.company)
      .organization('website', r.website)
      .organization('domain', domainOf(r.website))
      .organization('linkedinUrl', r.company_linkedin)
      .organization('employees', r.nb_employees)
      .emailStatus(email?.status ?? 'unknown')
      .build()
  );
}
