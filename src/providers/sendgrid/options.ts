import { z } from 'zod';
import { senderAddress } from '../email-sender.js';

/** Options of a `sendgrid` provider. `apiKey` is secret. */
export const sendgridOptions = z.object({
  /** An API key with the mail.send scope (`SG.…`). Secret. */
  apiKey: z.string().min(1).optional(),
  /** `https://api.sendgrid.com`; EU subusers `https://api.eu.sendgrid.com`. */
  baseUrl: z.url().default('https://api.sendgrid.com'),
  /** The sender when a request names none: a verified Sender Identity. */
  from: senderAddress.optional(),
  /** SendGrid checks the request and sends nothing (answers 200): for staging. */
  sandboxMode: z.boolean().default(false),
});

export type SendGridOptions = z.infer<typeof sendgridOptions>;

/** One request takes at most 1000 personalizations and 1000 recipients in all. */
export const SENDGRID_BATCH_MAX = 1000;

export const baseOf = (o: SendGridOptions): string => o.baseUrl.replace(/\/+$/, '');
