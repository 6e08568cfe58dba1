import type { Capability } from './capability.js';
import { crmSync } from './crm-sync.js';
import { emailSending } from './email-sending.js';
import { emailVerification } from './email-verification.js';
import { leadEnrichment } from './lead-enrichment.js';
import { replyFetching } from './reply-fetching.js';
import { socialPostingFacebook, socialPostingLinkedin, socialPostingX } from './social-posting.js';
import { webhookDispatch } from './webhook-dispatch.js';

export * from './capability.js';
export * from './crm-sync.js';
export * from './email-sending.js';
export * from './email-verification.js';
export * from './lead-enrichment.js';
export * from './reply-fetching.js';
export * from './social-posting.js';
export * from './webhook-dispatch.js';

export const CAPABILITY_NAMES = [
  'email_sending',
  'social_posting_linkedin',
  'social_posting_x',
  'social_posting_facebook',
  'crm_sync',
  'lead_enrichment',
  'email_verification',
  'reply_fetching',
  'webhook_dispatch',
] as const;

export type CapabilityName = (typeof CAPABILITY_NAMES)[number];

export const CAPABILITIES: Readonly<Record<CapabilityName, Capability>> = Object.freeze({
  email_sending: emailSending,
  social_posting_linkedin: socialPostingLinkedin,
  social_posting_x: socialPostingX,
  social_posting_facebook: socialPostingFacebook,
  crm_sync: crmSync,
  lead_enrichment: leadEnrichment,
  email_verification: emailVerification,
  reply_fetching: replyFetching,
  webhook_dispatch: webhookDispatch,
});

/** The same table as a Map: a lookup per request, cheaper than a keyed property read with a dynamic key. */
const BY_NAME: ReadonlyMap<string, Capability> = new Map(Object.entries(CAPABILITIES));

export function isCapabilityName(name: string): name is CapabilityName {
  return BY_NAME.has(name);
}

export function getCapability(name: string): Capability | undefined {
  return BY_NAME.get(name);
}
