import { z } from 'zod';
import { SOCIAL_PLATFORMS } from '../../capabilities/social-posting.js';
import { webhookOptionsShape } from '../webhook/options.js';

export const socialWebhookOptions = z.object({
  ...webhookOptionsShape,
  /** Event type of the delivery. */
  event: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]+$/)
    .default('social.post.create'),
  /** Platform sent when the capability does not name one (it normally does: social_posting_<platform>). */
  platform: z.enum(SOCIAL_PLATFORMS).optional(),
  /** Author sent when the request names none (a LinkedIn URN, a page id…). */
  author: z.string().min(1).optional(),
});

export type SocialWebhookOptions = z.output<typeof socialWebhookOptions>;
