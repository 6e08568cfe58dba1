import { z } from 'zod';
import { defineCapability, type Capability } from './capability.js';
import { httpUrl, mediaRef } from './common.js';

export const SOCIAL_PLATFORMS = ['linkedin', 'x', 'facebook'] as const;
export type SocialPlatform = (typeof SOCIAL_PLATFORMS)[number];

/** Text limits per platform (characters). */
const TEXT_LIMITS: Record<SocialPlatform, number> = { linkedin: 3000, x: 280, facebook: 63206 };

function postRequest(platform: SocialPlatform) {
  return z.object({
    text: z.string().min(1).max(TEXT_LIMITS[platform]),
    link: httpUrl.optional(),
    media: z
      .array(mediaRef)
      .max(platform === 'x' ? 4 : 20)
      .optional(),
    /** LinkedIn author URN (`urn:li:person:…`, `urn:li:organization:…`) or Facebook page id; defaults to the provider's configured one. */
    author: z.string().min(1).max(200).optional(),
    visibility: z.enum(['PUBLIC', 'CONNECTIONS', 'LOGGED_IN']).optional(),
  });
}

export const socialPostResult = z.object({
  postId: z.string(),
  url: z.string().optional(),
  platform: z.enum(SOCIAL_PLATFORMS),
  /** True when the provider reported this content as already posted (and our record says it was ours). */
  duplicate: z.boolean().optional(),
});

export type SocialPostRequest = z.infer<ReturnType<typeof postRequest>>;
export type SocialPostResult = z.infer<typeof socialPostResult>;

function postingCapability(platform: SocialPlatform): Capability<SocialPostRequest, SocialPostResult> {
  return defineCapability({
    name: `social_posting_${platform}`,
    description: `Publish a post on ${platform === 'x' ? 'X' : platform[0]!.toUpperCase() + platform.slice(1)}`,
    sideEffects: true,
    request: postRequest(platform),
    result: socialPostResult,
    example: { text: 'Our spring webinar is open for registration.', link: 'https://example.com/webinar' },
  });
}

export const socialPostingLinkedin = postingCapability('linkedin');
export const socialPostingX = postingCapability('x');
export const socialPostingFacebook = postingCapability('facebook');
