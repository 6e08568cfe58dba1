import { z } from 'zod';

/** Options of a `hubspot` provider. `accessToken` is secret. */
export const hubspotOptions = z.object({
  /** Private app token (`pat-...`) or OAuth access token with crm.objects.<object>.write. Secret. */
  accessToken: z.string().min(1).optional(),
  baseUrl: z.url().default('https://api.hubapi.com'),
  /** `v3` (paths `/crm/v3/objects/...`) or a date version `YYYY-MM` (paths `/crm/objects/YYYY-MM/...`). */
  apiVersion: z
    .string()
    .regex(/^(v\d+|\d{4}-\d{2})$/)
    .default('v3'),
  /** Default object type; a request's `object` overrides it. */
  object: z.string().min(1).default('contacts'),
  /** Pause between batch calls of one sync (HubSpot allows about 10 requests/second). */
  batchIntervalMs: z.number().int().min(0).max(60_000).default(100),
});

export type HubSpotOptions = z.infer<typeof hubspotOptions>;

/** HubSpot batch endpoints take at most 100 inputs. */
export const HUBSPOT_BATCH_SIZE = 100;
/** Default back-off for the 10-second rolling window when no interval header is sent. */
export const HUBSPOT_RATE_WINDOW_MS = 10_000;

export function objectsPath(options: HubSpotOptions, object: string): string {
  const base = options.baseUrl.replace(/\/+$/, '');
  const obj = encodeURIComponent(object);
  return /^v\d+$/.test(options.apiVersion)
    ? `${base}/crm/${options.apiVersion}/objects/${obj}`
    : `${base}/crm/objects/${options.apiVersion}/${obj}`;
}
