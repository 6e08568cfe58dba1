import { z } from 'zod';

const blankToUndefined = (v: unknown): unknown => (v === '' || v === null ? undefined : v);

/** Default `LinkedIn-Version`: versions are monthly and each lives about a year, so keep this recent. */
const DEFAULT_LINKEDIN_VERSION = '202609';

export const linkedinOptions = z.object({
  /** 3-legged member token with w_member_social (or w_organization_social). Secret. */
  accessToken: z.preprocess(blankToUndefined, z.string().min(1).optional()),
  /** Default author URN; when unset, the member behind the token (`urn:li:person:{sub}` from /v2/userinfo). */
  author: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^urn:li:(person|organization):[A-Za-z0-9_-]+$/, 'must be urn:li:person:… or urn:li:organization:…')
      .optional(),
  ),
  /** `LinkedIn-Version` header, YYYYMM (or YYYYMM.RR). */
  version: z
    .string()
    .regex(/^\d{6}(\.\d{2})?$/, 'must be YYYYMM')
    .default(DEFAULT_LINKEDIN_VERSION),
  baseUrl: z.url().default('https://api.linkedin.com'),
  visibility: z.enum(['PUBLIC', 'CONNECTIONS', 'LOGGED_IN']).default('PUBLIC'),
});

export type LinkedinOptions = z.output<typeof linkedinOptions>;
