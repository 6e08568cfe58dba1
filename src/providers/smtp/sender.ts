/** The sender address (`a@b.c` or `Name <a@b.c>`) and the Message-ID derived from the idempotency key. */
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
