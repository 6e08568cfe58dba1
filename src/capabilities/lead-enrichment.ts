import { z } from 'zod';
import { defineCapability } from './capability.js';

/** At most this many people in one request (Dropcontact's submit maximum; Apollo takes them 10 per call). */
export const LEAD_ENRICHMENT_BATCH_MAX = 250;

const identity = z.object({
  email: z.email().optional(),
  firstName: z.string().min(1).max(200).optional(),
  lastName: z.string().min(1).max(200).optional(),
  fullName: z.string().min(1).max(400).optional(),
  company: z.string().min(1).max(400).optional(),
  domain: z
    .string()
    .regex(/^(?!www\.)[a-z0-9.-]+\.[a-z]{2,}$/i, 'must be a bare domain like example.com')
    .optional(),
  linkedinUrl: z.url().optional(),
});
type Identity = z.infer<typeof identity>;

const IDENTIFIES = 'needs email, linkedinUrl, or a name with a company or domain';
const identifies = (r: Identity): boolean =>
  Boolean(r.email || r.linkedinUrl || ((r.fullName || (r.firstName && r.lastName)) && (r.company || r.domain)));

/** One person to enrich. */
export const leadEnrichmentPerson = identity.refine(identifies, { message: IDENTIFIES, path: ['email'] });

/**
 * One person (the identity fields), or up to 250 in `people`: the adapters use the provider's
 * batch endpoint (Apollo `bulk_match`, 10 per call; Dropcontact, 250 per submit).
 */
export const leadEnrichmentRequest = identity
  .extend({
    /** Up to 250 people enriched in one request; the single-person fields must then be absent. */
    people: z.array(leadEnrichmentPerson).min(1).max(LEAD_ENRICHMENT_BATCH_MAX).optional(),
  })
  .superRefine((r, ctx) => {
    if (r.people) {
      for (const key of identity.keyof().options)
        if (r[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'not allowed with people (put it in a person)' });
    } else if (!identifies(r)) ctx.addIssue({ code: 'custom', path: ['email'], message: IDENTIFIES });
  });

export const EMAIL_STATUSES = ['verified', 'unverified', 'invalid', 'catch_all', 'unknown'] as const;

export const leadEnrichmentResult = z.object({
  matched: z.boolean(),
  person: z
    .object({
      firstName: z.string().optional(),
      lastName: z.string().optional(),
      fullName: z.string().optional(),
      title: z.string().optional(),
      email: z.string().optional(),
      phone: z.string().optional(),
      linkedinUrl: z.string().optional(),
      location: z.string().optional(),
    })
    .nullable(),
  organization: z
    .object({
      name: z.string().optional(),
      domain: z.string().optional(),
      website: z.string().optional(),
      linkedinUrl: z.string().optional(),
      employees: z.string().optional(),
    })
    .nullable(),
  emailStatus: z.enum(EMAIL_STATUSES),
  /** Which provider supplied each field, keyed by `person.title`, `organization.name`, …. */
  sources: z.record(z.string(), z.string()),
});

/** The answer to a `people` request: one outcome per person, in request order, and the counts. */
export const leadEnrichmentBatchResult = z.object({
  people: z.array(
    z.object({
      index: z.number().int(),
      status: z.enum(['matched', 'not_matched', 'failed']),
      result: leadEnrichmentResult.optional(),
      error: z.object({ code: z.string(), message: z.string() }).optional(),
    }),
  ),
  summary: z.object({ matched: z.number().int(), notMatched: z.number().int(), failed: z.number().int() }),
});

export type LeadEnrichmentPerson = z.infer<typeof leadEnrichmentPerson>;
export type LeadEnrichmentRequest = z.infer<typeof leadEnrichmentRequest>;
export type LeadEnrichmentResult = z.infer<typeof leadEnrichmentResult>;
export type LeadEnrichmentBatchResult = z.infer<typeof leadEnrichmentBatchResult>;
export type PersonOutcome = LeadEnrichmentBatchResult['people'][number];

/** A person's outcome from its enrichment result. */
export function personOutcome(index: number, result: LeadEnrichmentResult): PersonOutcome {
  return { index, status: result.matched ? 'matched' : 'not_matched', result };
}

/** The batch answer from every person's outcome (in index order). */
export function leadEnrichmentBatchResultOf(people: readonly PersonOutcome[]): LeadEnrichmentBatchResult {
  const count = (status: PersonOutcome['status']): number => people.filter((p) => p.status === status).length;
  return { people: [...people], summary: { matched: count('matched'), notMatched: count('not_matched'), failed: count('failed') } };
}

export const leadEnrichment = defineCapability({
  name: 'lead_enrichment',
  description: 'Enrich a person (or up to 250 in `people`) with profile, organisation and email status',
  sideEffects: false,
  request: leadEnrichmentRequest,
  result: z.union([leadEnrichmentResult, leadEnrichmentBatchResult]),
  example: { firstName: 'Ada', lastName: 'Lovelace', domain: 'example.com' },
});
