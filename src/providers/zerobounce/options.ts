/** Options of the `zerobounce` provider type. `apiKey` is the one secret. */
import { z } from 'zod';
import { httpUrl } from '../../capabilities/common.js';

/** ZeroBounce's documented API hosts (presets as data). `baseUrl` overrides them. */
const ZEROBOUNCE_REGIONS = {
  default: 'https://api.zerobounce.net',
  us: 'https://api-us.zerobounce.net',
  eu: 'https://api-eu.zerobounce.net',
} as const;

export const zeroBounceOptions = z.object({
  /** API key (env: ZEROBOUNCE_API_KEY). Sent as the `api_key` query parameter: it is scrubbed from every URL, error and log. */
  apiKey: z.string().min(1).optional(),
  region: z.enum(['default', 'us', 'eu']).default('default'),
  /** Overrides the region's host (simulators: `http://127.0.0.1:<port>`). */
  baseUrl: httpUrl.optional(),
  /** Host of batch validation (`POST /v2/validatebatch`); default `https://bulkapi.zerobounce.net`, or `baseUrl` when that is set. */
  bulkBaseUrl: httpUrl.optional(),
  /** Batch calls a minute at most (ZeroBounce allows 5 and blocks for 10 minutes past it); beyond, the batch goes to the next verifier. */
  batchPerMinute: z.number().int().min(1).max(60).default(5),
  /** Sent as `ip_address` (the signup IP of the address owner); blank by default, as the API allows. */
  ipAddress: z.string().default(''),
  /** ZeroBounce's own `timeout` parameter (3–60 s): on expiry it answers `unknown` instead of waiting. */
  timeoutSeconds: z.number().int().min(3).max(60).optional(),
});

export type ZeroBounceOptions = z.output<typeof zeroBounceOptions>;

export function zeroBounceBaseUrl(options: ZeroBounceOptions): string {
  return (options.baseUrl ?? ZEROBOUNCE_REGIONS[options.region]).replace(/\/+$/, '');
}

export function zeroBounceBulkUrl(options: ZeroBounceOptions): string {
  return (options.bulkBaseUrl ?? options.baseUrl ?? 'https://bulkapi.zerobounce.net').replace(/\/+$/, '');
}
