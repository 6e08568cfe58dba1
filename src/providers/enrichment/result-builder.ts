/**
 * Builds a lead_enrichment result field by field, recording in `sources` which provider
 * supplied each field (`person.title` -> `apollo_enrichment`). Empty values are skipped, so
 * a result never claims a source for a field it does not have.
 */
import type { LeadEnrichmentResult } from '../../capabilities/lead-enrichment.js';

type Person = NonNullable<LeadEnrichmentResult['person']>;
type Organization = NonNullable<LeadEnrichmentResult['organization']>;
export type EmailStatus = LeadEnrichmentResult['emailStatus'];

export class EnrichmentResultBuilder {
  private readonly personFields: Person = {};
  private readonly orgFields: Organization = {};
  private readonly sources: Record<string, string> = {};
  private status: EmailStatus = 'unknown';

  constructor(private readonly provider: string) {}

  person<K extends keyof Person>(field: K, value: unknown): this {
    const text = asText(value);
    if (text !== undefined) {
      this.personFields[field] = text;
      this.sources[`person.${field}`] = this.provider;
    }
    return this;
  }

  organization<K extends keyof Organization>(field: K, value: unknown): this {
    const text = asText(value);
    if (text !== undefined) {
      this.orgFields[field] = text;
      this.sources[`organization.${field}`] = this.provider;
    }
    return this;
  }

  emailStatus(status: EmailStatus): this {
    this.status = status;
    if (status !== 'unknown') this.sources.emailStatus = this.provider;
    return this;
  }

  build(): LeadEnrichmentResult {
    const hasPerson = Object.keys(this.personFields).length > 0;
    const hasOrg = Object.keys(this.orgFields).length > 0;
    return {
      matched: hasPerson || hasOrg,
      person: hasPerson ? { ...this.personFields } : null,
      organization: hasOrg ? { ...this.orgFields } : null,
      emailStatus: this.status,
      sources: { ...this.sources },
    };
  }
}

/** The result for "the provider knows nothing about this person" (a result, not an error). */
export function noMatch(): LeadEnrichmentResult {
  return { matched: false, person: null, organization: null, emailStatus: 'unknown', sources: {} };
}

/** Strings are trimmed, numbers stringified; empty strings, null, objects and arrays are dropped. */
function asText(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** `https://www.example.com/about` -> `example.com`; undefined when not a URL or domain. */
export function domainOf(website: unknown): string | undefined {
  const text = asText(website);
  if (!text) return undefined;
  try {
    const host = new URL(/^[a-z]+:\/\//i.test(text) ? text : `https://${text}`).hostname;
    return host.replace(/^www\./i, '').toLowerCase() || undefined;
  } catch {
    return undefined;
  }
}
