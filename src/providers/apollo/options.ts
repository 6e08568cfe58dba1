import { z } from 'zod';

/** Options of an `apollo` provider. `apiKey` is secret. */
export const apolloOptions = z.object({
  /** API key, sent as `X-Api-Key` (never as a Bearer token). Needs the people/match endpoint. Secret. */
  apiKey: z.string().min(1).optional(),
  /** `https://api.apollo.io/api/v1` (older docs: `https://api.apollo.io/v1`). */
  baseUrl: z.url().default('https://api.apollo.io/api/v1'),
  /** Identity fields as a JSON body (tutorial, most integrations) or as query parameters (current reference). */
  paramsIn: z.enum(['body', 'query']).default('body'),
  /** Ask Apollo for personal emails (costs credits; never revealed for GDPR regions). */
  revealPersonalEmails: z.boolean().default(false),
});

export type ApolloOptions = z.infer<typeof apolloOptions>;

/** `/people/bulk_match` takes at most 10 people. */
export const APOLLO_BULK_SIZE = 10;
/** Back-off after a 429 that names no window. */
export const APOLLO_DEFAULT_RETRY_MS = 60_000;
