import { z } from 'zod';
import { defineCapability } from './capability.js';

export const webhookDispatchRequest = z.object({
  /** Destination; defaults to the provider's configured endpoint. */
  url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
  /** Event type, e.g. `contact.created`. */
  event: z.string().min(1).max(200).regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and . _ : - only'),
  payload: z.json(),
});

export const webhookDispatchResult = z.object({
  webhookId: z.string(),
  status: z.number().int(),
  deliveredAt: z.string(),
});

export type WebhookDispatchRequest = z.infer<typeof webhookDispatchRequest>;
export type WebhookDispatchResult = z.infer<typeof webhookDispatchResult>;

export const webhookDispatch = defineCapability({
  name: 'webhook_dispatch',
  description: 'Deliver a signed webhook (Standard Webhooks)',
  sideEffects: true,
  request: webhookDispatchRequest,
  result: webhookDispatchResult,
});
