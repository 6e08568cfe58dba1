import { z } from 'zod';
import { defineCapability } from './capability.js';

const fieldValue = z.union([z.string().max(100_000), z.number(), z.boolean(), z.null(), z.array(z.string())]);

export const crmSyncRequest = z
  .object({
    /** Object or table to write into (Airtable table, HubSpot object type). Defaults to the provider's configured one. */
    object: z.string().min(1).max(200).optional(),
    /**
     * Field(s) records are matched on for upsert (e.g. `email`): repeating the sync is safe.
     * Omitted: every record is created. A create is not idempotent at the provider, so after an
     * unknown outcome (the connection lost mid-call) the gateway neither retries nor fails over.
     */
    mergeOn: z.array(z.string().min(1)).min(1).max(3).optional(),
    records: z
      .array(z.object({ fields: z.record(z.string().min(1), fieldValue) }))
      .min(1)
      .max(1000),
  })
  .superRefine((req, ctx) => {
    req.records.forEach((r, i) => {
      for (const key of req.mergeOn ?? []) {
        const v = r.fields[key];
        if (v === undefined || v === null || v === '') {
          ctx.addIssue({ code: 'custom', path: ['records', i, 'fields', key], message: `merge field "${key}" is required` });
        }
      }
    });
  });

export const crmRecordOutcome = z.object({
  index: z.number().int(),
  id: z.string().optional(),
  status: z.enum(['created', 'updated', 'failed']),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

export const crmSyncResult = z.object({
  created: z.number().int(),
  updated: z.number().int(),
  failed: z.number().int(),
  records: z.array(crmRecordOutcome),
});

export type CrmSyncRequest = z.infer<typeof crmSyncRequest>;
export type CrmSyncResult = z.infer<typeof crmSyncResult>;
export type CrmRecordOutcome = CrmSyncResult['records'][number];

/** The result of a sync from its records' outcomes (in index order). */
export function crmSyncResultOf(records: readonly CrmRecordOutcome[]): CrmSyncResult {
  const count = (status: CrmRecordOutcome['status']): number => records.filter((r) => r.status === status).length;
  return { created: count('created'), updated: count('updated'), failed: count('failed'), records: [...records] };
}

export const crmSync = defineCapability({
  name: 'crm_sync',
  description: 'Upsert records into a CRM (or create them when no mergeOn is given)',
  sideEffects: true,
  request: crmSyncRequest,
  result: crmSyncResult,
  example: { mergeOn: ['email'], records: [{ fields: { email: 'ada@example.com', name: 'Ada Lovelace', company: 'Analytical Engines' } }] },
});
