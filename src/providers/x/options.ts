import { z } from 'zod';

const blankToUndefined = (v: unknown): unknown => (v === '' || v === null ? undefined : v);

export const xOptions = z.object({
  /** OAuth 2.0 user-context access token (scopes tweet.read tweet.write users.read). Secret. */
  accessToken: z.preprocess(blankToUndefined, z.string().min(1).optional()),
  baseUrl: z.url().default('https://api.x.com'),
});

export type XOptions = z.output<typeof xOptions>;
