/** Options of the `neverbounce` provider type. `apiKey` is the one secret. */
import { z } from 'zod';
import { httpUrl } from '../../capabilities/common.js';

export const neverBounceOptions = z.object({
  /** API key (env: NEVERBOUNCE_API_KEY). Sent in the JSON body (v4.2) or the `key` query parameter (v4); scrubbed everywhere. */
  apiKey: z.string().min(1).optional(),
  baseUrl: httpUrl.default('https://api.neverbounce.com'),
  /**
   * `v4.2` (default, as the official Node SDK v5): POST with a JSON body `{key, email}`.
   * `v4` (as the reference docs): GET with `key` and `email` query parameters.
   */
  apiVersion: z.enum(['v4', 'v4.2']).default('v4.2'),
  /** NeverBounce's own `timeout` parameter (seconds): it answers `unknown` rather than wait longer. */
  timeoutSeconds: z.number().int().min(1).max(120).optional(),
  userAgent: z.string().min(1).default('aicmo-gateway'),
});

export type NeverBounceOptions = z.output<typeof neverBounceOptions>;
