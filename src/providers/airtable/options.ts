import { z } from 'zod';

/** Options of an `airtable` provider. `apiToken` is secret. */
export const airtableOptions = z.object({
  /** Personal access token (`pat...`) with data.records:write and access to the base. Secret. */
  apiToken: z.string().min(1).optional(),
  /** `app...` id of the base. */
  baseId: z.string().min(1).optional(),
  /** Default table (name or `tbl...` id); a request's `object` overrides it. */
  table: z.string().min(1).optional(),
  baseUrl: z.url().default('https://api.airtable.com'),
  apiVersion: z
    .string()
    .regex(/^v\d+$/)
    .default('v0'),
  /** Let Airtable convert string values to the field type (select options, numbers). */
  typecast: z.boolean().default(false),
  /** Pause between batch calls of one sync, to stay under 5 requests/second per base. */
  batchIntervalMs: z.number().int().min(0).max(60_000).default(200),
});

export type AirtableOptions = z.infer<typeof airtableOptions>;

/** Airtable takes at most 10 records per create/update/upsert call. */
export const AIRTABLE_BATCH_SIZE = 10;
/** After a 429 Airtable refuses every request for 30 seconds. */
export const AIRTABLE_RATE_LIMIT_WAIT_MS = 30_000;
