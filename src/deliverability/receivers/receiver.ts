/**
 * What a mail-event receiver does with one inbound webhook: verify it the provider's way (over
 * the raw bytes, before anything is parsed), then parse it into events. An unverifiable webhook
 * is refused with the status that stops the provider's retries, and nothing of it is applied.
 */
import type { ParsedMailEvent } from '../mail-events.js';

export interface InboundWebhook {
  /** The body exactly as received. */
  raw: Buffer;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string | undefined>>;
}

export type ReceiverVerdict =
  | { ok: true; events: ParsedMailEvent[]; note?: string }
  /** `status`: what the provider reads as "do not retry"; `reason`: a short code for the refusal metric. */
  | { ok: false; status: number; reason: string; message: string };

export interface MailEventReceiver {
  readonly name: string;
  readonly type: string;
  receive(webhook: InboundWebhook, now: number): Promise<ReceiverVerdict>;
}

export const refuse = (status: number, reason: string, message: string): ReceiverVerdict => ({ ok: false, status, reason, message });

/** A body that is JSON, or undefined. */
export function jsonOf(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

export const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
export const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
