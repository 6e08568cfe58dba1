/**
 * Options of the `webhook` type, shared by `crm_webhook` and `social_webhook`.
 * `secrets` (and `url`, which for Zapier/Make hooks is itself a credential) are secret.
 */
import { z } from 'zod';
import { decodeSecret } from './signature.js';

const blankToUndefined = (v: unknown): unknown => (v === '' || v === null ? undefined : v);

/** A string (one secret, or several separated by spaces/commas) or an array; blank entries dropped, none left → unset. */
function secretList(v: unknown): unknown {
  const list = typeof v === 'string' ? v.split(/[\s,]+/) : v;
  if (!Array.isArray(list)) return list;
  const kept = list.filter((s) => s !== '' && s !== null && s !== undefined);
  return kept.length === 0 ? undefined : kept;
}

const whsecSecret = z.string().refine((s) => decodeSecret(s) !== undefined, {
  message: 'must be whsec_ followed by base64 of 16 to 128 random bytes',
});

export const webhookOptionsShape = {
  /** Default destination (https unless allowHttp). */
  url: z.preprocess(blankToUndefined, z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional()),
  /** Signing secrets (`whsec_…`); every one signs each delivery, so rotation is seamless. A single string is accepted. */
  secrets: z.preprocess(secretList, z.array(whsecSecret).min(1).max(5).optional()),
  /** Let a request's `url` override the configured one (it still passes the destination guard). */
  allowRequestUrl: z.boolean().default(false),
  /** Upper bound of one delivery, below the attempt deadline (Standard Webhooks recommends 15–30 s). */
  timeoutMs: z.number().int().min(100).max(120_000).default(15_000),
  /** Permit plain http:// destinations (HTTPS is required otherwise). */
  allowHttp: z.boolean().default(false),
  /** Permit private (10/8, 172.16/12, 192.168/16, fc00::/7) and CGNAT (100.64/10) destinations. */
  allowPrivate: z.boolean().default(false),
  /** Host names, IP addresses or CIDR ranges allowed even if they resolve to refused ranges (loopback, link-local…). */
  allowHosts: z.array(z.string().min(1)).default([]),
};

export const webhookOptions = z.object(webhookOptionsShape);

export type WebhookOptions = z.output<typeof webhookOptions>;

export const WEBHOOK_SECRET_PATHS = ['secrets', 'url'] as const;
