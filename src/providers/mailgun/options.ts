import { z } from 'zod';
import { senderAddress } from '../email-sender.js';

/** Options of a `mailgun` provider. `apiKey` is secret. */
export const mailgunOptions = z.object({
  /** The account's primary API key or the domain's sending key (a sending key cannot run the probe). Secret. */
  apiKey: z.string().min(1).optional(),
  /** The sending domain as Mailgun knows it (`mg.example.com`). */
  domain: z
    .string()
    .regex(/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$/, 'must be a domain name')
    .optional(),
  /** The region the domain lives in: `us` (api.mailgun.net) or `eu` (api.eu.mailgun.net). A wrong one answers 404. */
  region: z.enum(['us', 'eu']).default('us'),
  /** Overrides the region's API host (a proxy, a simulator). */
  baseUrl: z.url().optional(),
  /** The sender when a request names none. */
  from: senderAddress.optional(),
  /** `o:testmode`: Mailgun accepts the message and does not deliver it. */
  testMode: z.boolean().default(false),
});

export type MailgunOptions = z.infer<typeof mailgunOptions>;

/** A batch send takes at most 1000 recipients. */
export const MAILGUN_BATCH_MAX = 1000;

const REGION_HOSTS = { us: 'https://api.mailgun.net', eu: 'https://api.eu.mailgun.net' } as const;

export const baseOf = (o: MailgunOptions): string => (o.baseUrl ?? REGION_HOSTS[o.region]).replace(/\/+$/, '');
