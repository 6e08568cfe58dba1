import { z } from 'zod';

/** Options of a `dropcontact` provider. `apiKey` is secret. */
export const dropcontactOptions = z.object({
  /** API key, sent as `X-Access-Token`. Secret. */
  apiKey: z.string().min(1).optional(),
  baseUrl: z.url().default('https://api.dropcontact.com'),
  apiVersion: z
    .string()
    .regex(/^v\d+$/)
    .default('v1'),
  /** Wait between result polls. Dropcontact suggests 30 s; results usually take seconds to minutes. */
  pollIntervalMs: z.number().int().min(10).max(120_000).default(2_000),
  /** Language of qualifications and civility (`en`, `fr`). The adapter understands both. */
  language: z.enum(['en', 'fr']).default('en'),
  /** Also look the company up in the French SIREN registry. */
  siren: z.boolean().default(false),
});

export type DropcontactOptions = z.infer<typeof dropcontactOptions>;

/** No Retry-After is documented for Dropcontact's 429 (limit: 60 requests/second). */
export const DROPCONTACT_DEFAULT_RETRY_MS = 1_000;
/** One submit takes at most 250 contacts. */
export const DROPCONTACT_SUBMIT_MAX = 250;
/** Results are kept about 30 days: an older stored request id is not resumed. */
export const DROPCONTACT_RESULT_TTL_MS = 30 * 24 * 3_600_000;
