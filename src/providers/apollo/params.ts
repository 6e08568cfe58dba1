/** lead_enrichment request -> Apollo identity parameters (`first_name`, `domain`, ...). */
import type { LeadEnrichmentPerson } from '../../capabilities/lead-enrichment.js';

export type ApolloParams = Record<string, string | boolean>;

export function toApolloParams(req: LeadEnrichmentPerson): ApolloParams {
  const out: ApolloParams = {};
  const put = (key: string, value: string | undefined): void => {
    if (value) out[key] = value;
  };
  put('email', req.email);
  put('first_name', req.firstName);
  put('last_name', req.lastName);
  put('name', req.fullName);
  put('organization_name', req.company);
  put('domain', req.domain?.replace(/^www\./i, ''));
  put('linkedin_url', req.linkedinUrl);
  return out;
}

export function toQuery(params: ApolloParams): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
