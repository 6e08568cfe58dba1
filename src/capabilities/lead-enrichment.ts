import { z } from 'zod';
import { defineCapability } from './capability.js';

export const leadEnrichmentRequest = z
  .object({
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
  })
  .refine((r) => r.email || r.linkedinUrl || ((r.fullName || (r.firstName && r.lastName)) && (r.company || r.domain)), {
    message: 'needs email, linkedinUrl, or a name with a company or domain',
    path: ['email'],
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

export type LeadEnrichmentRequest = z.infer<typeof leadEnrichmentRequest>;
export type LeadEnrichmentResult = z.infer<typeof leadEnrichmentResult>;

export const leadEnrichment = defineCapability({
  name: 'lead_enrichment',
  description: 'Enrich a person with profile, organisation and email status',
  sideEffects: false,
  request: leadEnrichmentRequest,
  result: leadEnrichmentResult,
});
