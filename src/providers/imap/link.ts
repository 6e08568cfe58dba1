/**
 * Links a fetched message to a message this gateway sent: by In-Reply-To, then by References
 * (nearest ancestor first), then (for a bounce) by the Message-ID of the returned original;
 * the subject is a flagged fallback for human replies only.
 */
import type { ParsedMail } from 'mailparser';
import type { FetchedMessage } from '../../capabilities/reply-fetching.js';
import { normaliseMessageId } from '../../store/provider-data.js';
import type { SentMailLog } from '../types.js';

export const idsIn = (value: string | string[] | undefined): string[] => {
  const text = Array.isArray(value) ? value.join(' ') : (value ?? '');
  return text.match(/<[^<>\s]+>/g) ?? (text.trim() ? text.trim().split(/\s+/).map(normaliseMessageId) : []);
};

/** Message-IDs of the original message a bounce returns (message/rfc822 or text/rfc822-headers part). */
function returnedMessageIds(mail: ParsedMail): string[] {
  const out: string[] = [];
  for (const a of mail.attachments) {
    if (!/^(message\/rfc822|text\/rfc822-headers|message\/global)/i.test(a.contentType)) continue;
    const m = /^message-id:\s*(<[^<>\s]+>)/im.exec(a.content.toString('utf8'));
    if (m) out.push(m[1]!);
  }
  return out;
}

export interface LinkInput {
  mail: ParsedMail;
  inReplyTo: string | undefined;
  references: string[];
  automatic: boolean;
  bounce: boolean;
}

export async function linkReply(input: LinkInput, sentMail: SentMailLog): Promise<FetchedMessage['replyTo']> {
  if (input.inReplyTo) {
    const hit = await sentMail.findAny([input.inReplyTo]);
    if (hit) return { messageId: hit.messageId, matchedBy: 'in-reply-to' };
  }
  const refs = [...input.references].reverse();
  if (input.bounce) refs.push(...returnedMessageIds(input.mail));
  if (refs.length) {
    const hit = await sentMail.findAny(refs);
    if (hit) return { messageId: hit.messageId, matchedBy: 'references' };
  }
  if (input.automatic || !input.mail.subject || !/^\s*(re|aw|sv|antw)\s*(\[\d+\])?\s*:/i.test(input.mail.subject)) return undefined;
  const bySubject = await sentMail.findBySubject(input.mail.subject);
  if (!bySubject) return undefined;
  const from = input.mail.from?.value[0]?.address?.toLowerCase();
  const wasRecipient = !bySubject.to || (from !== undefined && bySubject.to.some((t) => t.toLowerCase() === from));
  return wasRecipient ? { messageId: bySubject.messageId, matchedBy: 'subject' } : undefined;
}
