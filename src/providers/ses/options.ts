import { z } from 'zod';
import { senderAddress } from '../email-sender.js';

/** Options of a `ses` provider (Amazon SES API v2). `secretAccessKey` and `sessionToken` are secret. */
export const sesOptions = z.object({
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as us-east-1')
    .default('us-east-1'),
  accessKeyId: z.string().min(1).optional(),
  /** Secret. */
  secretAccessKey: z.string().min(1).optional(),
  /** Temporary credentials' session token. Secret. */
  sessionToken: z.string().min(1).optional(),
  /** Overrides `https://email.{region}.amazonaws.com` (a VPC endpoint, a simulator). */
  endpoint: z.url().optional(),
  /** The sender when a request names none: a verified identity (address or domain). */
  from: senderAddress.optional(),
  /** The configuration set that publishes events (bounces, complaints) to SNS. */
  configurationSetName: z.string().min(1).max(64).optional(),
});

export type SesOptions = z.infer<typeof sesOptions>;
