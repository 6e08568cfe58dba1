import { z } from 'zod';

export const emailAddress = z.email({ message: 'must be an email address' });
export const oneOrMoreEmails = z.union([emailAddress, z.array(emailAddress).min(1).max(100)]);
export const httpUrl = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' });
export const mediaRef = z.object({
  url: httpUrl,
  altText: z.string().max(1000).optional(),
  kind: z.enum(['image', 'video', 'document']).default('image'),
});
