import { z } from 'zod';
import { webhookOptionsShape } from '../webhook/options.js';

export const crmWebhookOptions = z.object({
  ...webhookOptionsShape,
  /** Event type of the delivery. */
  event: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]+$/)
    .default('crm.records.upsert'),
  /** Object/table name sent when the request names none. */
  object: z.string().min(1).optional(),
});

export type CrmWebhookOptions = z.output<typeof crmWebhookOptions>;
