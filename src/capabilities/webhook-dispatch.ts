import { z } from 'zod';
import { defineCapability } from './capability.js';

export const webhookDispatchRequest = z.object({
  /** Destination; defaults to the provider's configured endpoint. */
  url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
  /** Event type, e.g. `contact.created`. */
  event: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and . _ : - only'),
  /** When the event happened (ISO 8601); the body's `timestamp`. Default: when the gateway accepted the request. */
  occurredAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time, e.g. 2026-12-04T09:30:00Z' }).optional(),
  payload: z.unknown().refine(isJsonValue, { message: 'must be a JSON value (objects, arrays, strings, finite numbers, booleans, null)' }),
});

/** A fast structural check (z.json() walks a recursive union per value and dominated the request cost). */
function isJsonValue(value: unknown, depth = 0): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (depth > 64 || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.every((v) => isJsonValue(v, depth + 1));
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const k in value) if (!isJsonValue((value as Record<string, unknown>)[k], depth + 1)) return false;
  return true;
}

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
  example: { event: 'contact.created', payload: { email: 'ada@example.com', source: 'webinar' } },
});
