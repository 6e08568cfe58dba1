/**
 * What every email_sending adapter shares: the sender address (`a@b.c` or `Name <a@b.c>`), the
 * Message-ID derived from the idempotency key (SMTP), and how the key travels with a message
 * through an ESP (custom args, variables, tags, metadata) so that its events can be tied back
 * to our delivery.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

export interface Sender {
  address: string;
  name?: string;
}

const email = z.email();

export function parseSender(value: string): Sender | undefined {
  const m = /^\s*(?:"?([^"<]*?)"?\s*)?<([^<>\s]+)>\s*$/.exec(value);
  const address = (m ? m[2] : value.trim()) ?? '';
  if (!email.safeParse(address).success) return undefined;
  const name = m?.[1]?.trim();
  return name ? { address, name } : { address };
}

/** `Name <a@b.c>` or `a@b.c`, validated. */
export const senderAddress = z
  .string()
  .refine((v) => parseSender(v) !== undefined, { message: 'must be an email address or "Name <address>"' });

/**
 * `<gw.{first 32 hex of sha256(key)}@{sender domain}>`: the same idempotency key always
 * yields the same Message-ID, so a resend is recognisable as the same message.
 */
export function deriveMessageId(idempotencyKey: string, senderAddressValue: string): string {
  const hash = createHash('sha256').update(idempotencyKey, 'utf8').digest('hex').slice(0, 32);
  const domain =
    senderAddressValue
      .split('@')[1]
      ?.toLowerCase()
      .replace(/[^a-z0-9.-]/g, '') || 'aicmo-gateway.invalid';
  return `<gw.${hash}@${domain}>`;
}

/**
 * The name under which the idempotency key travels with a message through an ESP (SendGrid
 * `custom_args`, Mailgun `v:` variables, SES `EmailTags`, Postmark `Metadata`); events carry it
 * back. None of the four ESPs deduplicates a send, so this is how a duplicate is recognised.
 */
export const GATEWAY_KEY = 'gateway_key';
/** With it, the copy's index in a message sent separately. */
export const GATEWAY_COPY = 'gateway_copy';

/**
 * The key as a tag value that allows only letters, digits, `_` and `-` (SES email tags): the key
 * itself when it fits, else `h-` and 40 hex digits of its SHA-256. Events carry this form back.
 */
export function tagSafeKey(key: string): string {
  return /^[A-Za-z0-9_-]{1,256}$/.test(key) ? key : `h-${createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 40)}`;
}

/** The sender of a request, else the provider's configured `from`; undefined when neither is usable. */
export function senderOf(requestFrom: string | undefined, configured: string | undefined): Sender | undefined {
  const value = requestFrom ?? configured;
  return value === undefined ? undefined : parseSender(value);
}

/** `Name <a@b.c>` with the name quoted when it holds punctuation, or the bare address. */
export function formatSender(sender: Sender): string {
  if (!sender.name) return sender.address;
  const name = /^[\w .'-]*$/.test(sender.name) ? sender.name : `"${sender.name.replace(/["\\]/g, '\\$&')}"`;
  return `${name} <${sender.address}>`;
}
