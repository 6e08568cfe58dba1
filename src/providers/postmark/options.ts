import { z } from 'zod';
import { senderAddress } from '../email-sender.js';

/** Options of a `postmark` provider. `serverToken` is secret. */
export const postmarkOptions = z.object({
  /** The server's API token (`X-Postmark-Server-Token`); `POSTMARK_API_TEST` checks without delivering. Secret. */
  serverToken: z.string().min(1).optional(),
  baseUrl: z.url().default('https://api.postmarkapp.com'),
  /** The sender when a request names none: a confirmed sender signature or a verified domain. */
  from: senderAddress.optional(),
  /** The message stream of single messages (`outbound`, the transactional default). */
  messageStream: z.string().min(1).default('outbound'),
  /** The stream of messages sent separately (campaigns): a Broadcast stream, as Postmark asks for bulk mail. */
  broadcastStream: z.string().min(1).default('broadcast'),
});

export type PostmarkOptions = z.infer<typeof postmarkOptions>;

/** `POST /email/batch` takes at most 500 messages. */
export const POSTMARK_BATCH_MAX = 500;

export const baseOf = (o: PostmarkOptions): string => o.baseUrl.replace(/\/+$/, '');
