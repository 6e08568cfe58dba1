import { z } from 'zod';
import { defineCapability } from './capability.js';

export const replyFetchingRequest = z.object({
  mailbox: z.string().min(1).max(500).default('INBOX'),
  /** Opaque cursor from a previous result; without it the provider's stored cursor is used. */
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(500).default(50),
});

const address = z.object({ address: z.string(), name: z.string().optional() });

export const fetchedMessage = z.object({
  uid: z.number().int(),
  messageId: z.string().optional(),
  from: address.optional(),
  to: z.array(address),
  cc: z.array(address),
  subject: z.string(),
  date: z.string().optional(),
  inReplyTo: z.string().optional(),
  references: z.array(z.string()),
  text: z.string().optional(),
  html: z.string().optional(),
  attachments: z.array(z.object({ filename: z.string().optional(), contentType: z.string(), size: z.number().int() })),
  /** The message this gateway sent that this one answers, and how it was matched. */
  replyTo: z.object({ messageId: z.string(), matchedBy: z.enum(['in-reply-to', 'references', 'subject']) }).optional(),
  isAutoReply: z.boolean(),
  isBounce: z.boolean(),
  /**
   * A delivery status notification (RFC 3464): each recipient it reports on, with its `Action`
   * (`failed`, `delayed`, `delivered`, `relayed`, `expanded`), `Status` (`5.1.1`) and diagnostic.
   */
  dsnRecipients: z
    .array(z.object({ address: z.string(), action: z.string(), status: z.string(), diagnosticCode: z.string().optional() }))
    .optional(),
});

export const replyFetchingResult = z.object({
  messages: z.array(fetchedMessage),
  cursor: z.string(),
  hasMore: z.boolean(),
});

export type ReplyFetchingRequest = z.infer<typeof replyFetchingRequest>;
export type ReplyFetchingResult = z.infer<typeof replyFetchingResult>;
export type FetchedMessage = z.infer<typeof fetchedMessage>;

export const replyFetching = defineCapability({
  name: 'reply_fetching',
  description: 'Fetch new messages (replies) from a mailbox since a cursor',
  sideEffects: false,
  request: replyFetchingRequest,
  result: replyFetchingResult,
  example: { mailbox: 'INBOX', limit: 20 },
});
