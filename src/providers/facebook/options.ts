import { z } from 'zod';

const blankToUndefined = (v: unknown): unknown => (v === '' || v === null ? undefined : v);

/** Default Graph API version; each version lives about two years. */
const DEFAULT_GRAPH_VERSION = 'v23.0';

export const facebookOptions = z.object({
  /** The Page to post to (a request's `author` overrides it). */
  pageId: z.preprocess(blankToUndefined, z.string().regex(/^\d+$/, 'must be a numeric page id').optional()),
  /** Page access token (pages_manage_posts). Secret. */
  pageAccessToken: z.preprocess(blankToUndefined, z.string().min(1).optional()),
  /** App secret: when set, every call carries appsecret_proof. Secret. */
  appSecret: z.preprocess(blankToUndefined, z.string().min(1).optional()),
  graphVersion: z
    .string()
    .regex(/^v\d+\.\d+$/, 'must look like v23.0')
    .default(DEFAULT_GRAPH_VERSION),
  baseUrl: z.url().default('https://graph.facebook.com'),
  /** Cool-down after a rate-limit error that names no time to regain access. */
  rateLimitDefaultMs: z
    .number()
    .int()
    .min(1_000)
    .default(15 * 60_000),
});

export type FacebookOptions = z.output<typeof facebookOptions>;
