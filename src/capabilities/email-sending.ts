import { z } from 'zod';
import { defineCapability } from './capability.js';
import { emailAddress, oneOrMoreEmails } from './common.js';

/**
 * A message sent `separately` goes as one copy per `to` address (no recipient sees another),
 * through the provider's batch endpoint where it has one: at most this many addresses.
 */
export const EMAIL_SEPARATE_MAX = 1000;
/** Without `separately`, one message: at most this many `to` addresses (as cc and bcc). */
const EMAIL_TO_MAX = 100;

const attachment = z.object({
  filename: z.string().min(1).max(255),
  /** Base64-encoded content. */
  content: z.base64({ message: 'must be base64' }),
  contentType: z.string().min(3).max(255).optional(),
});

/**
 * Headers a caller may not set through `headers`: recipients only through to/cc/bcc (so the
 * schema's limits hold), and the content and transport headers the gateway writes itself.
 */
const RESERVED_HEADERS = new Set([
  'to',
  'cc',
  'bcc',
  'from',
  'sender',
  'reply-to',
  'subject',
  'date',
  'message-id',
  'return-path',
  'content-type',
  'content-transfer-encoding',
  'content-disposition',
  'mime-version',
  'received',
  'dkim-signature',
  'resent-to',
  'resent-cc',
  'resent-bcc',
  'resent-from',
  'resent-sender',
]);

/** Extra headers: letters, digits and dashes, one line each; none of the ones the gateway sets. */
const headerMap = z
  .record(
    z.string().regex(/^[A-Za-z0-9-]+$/, 'header names are letters, digits and dashes'),
    z
      .string()
      .max(998)
      .regex(/^[^\r\n]*$/, 'a header value is one line'),
  )
  .superRefine((headers, ctx) => {
    for (const name of Object.keys(headers)) {
      if (RESERVED_HEADERS.has(name.toLowerCase())) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message:
            'address, content and transport headers are set by the gateway: use to, cc, bcc, from, replyTo, subject, text, html and attachments',
        });
      }
    }
  });

export const emailSendingRequest = z
  .object({
    to: z.union([emailAddress, z.array(emailAddress).min(1).max(EMAIL_SEPARATE_MAX)]),
    /** One copy per `to` address, each its own message (a campaign); cc and bcc are not allowed with it. */
    separately: z.boolean().optional(),
    cc: oneOrMoreEmails.optional(),
    bcc: oneOrMoreEmails.optional(),
    from: emailAddress.optional(),
    replyTo: emailAddress.optional(),
    subject: z.string().min(1).max(998),
    text: z.string().max(5_000_000).optional(),
    html: z.string().max(5_000_000).optional(),
    headers: headerMap.optional(),
    /**
     * Marketing or other bulk mail: each copy carries one-click unsubscribe headers (RFC 8058)
     * when `deliverability.unsubscribe` is configured. A message sent `separately` is bulk mail.
     */
    bulk: z.boolean().optional(),
    /** Headers of one recipient's copy, by address; the gateway puts each copy's List-Unsubscribe here. */
    recipientHeaders: z.record(emailAddress, headerMap).optional(),
    attachments: z.array(attachment).max(20).optional(),
  })
  .refine((r) => r.text !== undefined || r.html !== undefined, { message: 'text or html is required', path: ['text'] })
  .superRefine((r, ctx) => {
    if (r.separately && (r.cc !== undefined || r.bcc !== undefined))
      ctx.addIssue({ code: 'custom', path: [r.cc !== undefined ? 'cc' : 'bcc'], message: 'a message sent separately has no cc or bcc' });
    if (!r.separately && Array.isArray(r.to) && r.to.length > EMAIL_TO_MAX)
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `at most ${EMAIL_TO_MAX} addresses in one message; set separately: true to send up to ${EMAIL_SEPARATE_MAX} copies`,
      });
  });

/** The outcome of one copy of a message sent `separately`. */
const separateMessage = z.object({
  to: z.string(),
  messageId: z.string().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

export const emailSendingResult = z.object({
  /** The message's id; for a message sent separately, the first copy's (each copy's is in `messages`). */
  messageId: z.string(),
  accepted: z.array(z.string()),
  rejected: z.array(z.string()),
  response: z.string().optional(),
  /** A message sent separately: one entry per `to` address, in order. */
  messages: z.array(separateMessage).optional(),
  /** A message sent separately: how many copies were not sent. */
  failed: z.number().int().min(0).optional(),
  /** Recipients left out because they are on the suppression list (also in `rejected`). */
  suppressed: z.array(z.object({ address: z.string(), reason: z.string() })).optional(),
});

export type EmailSendingRequest = z.infer<typeof emailSendingRequest>;
export type EmailSendingResult = z.infer<typeof emailSendingResult>;
export type SeparateMessage = z.infer<typeof separateMessage>;

/** An address field (`to`, `cc`, `bcc`) as a list; none when it is not set. */
export function toList(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** The headers of the copy for `address`: the message's, with that recipient's own on top. */
export function copyHeaders(req: EmailSendingRequest, address: string): Record<string, string> | undefined {
  const wanted = address.toLowerCase();
  const own = Object.entries(req.recipientHeaders ?? {}).find(([a]) => a.toLowerCase() === wanted)?.[1];
  return own ? { ...req.headers, ...own } : req.headers;
}

/** The headers of a whole message: with one recipient, that recipient's copy; otherwise the message's. */
export function messageHeaders(req: EmailSendingRequest): Record<string, string> | undefined {
  const all = allRecipients(req);
  return all.length === 1 ? copyHeaders(req, all[0]!) : req.headers;
}

/** Every recipient of one message: to, cc and bcc. */
export function allRecipients(req: EmailSendingRequest): string[] {
  return [...toList(req.to), ...toList(req.cc), ...toList(req.bcc)];
}

/** The result of a message sent separately, from one outcome per copy (in `to` order). */
export function separateResultOf(messages: SeparateMessage[]): EmailSendingResult {
  const sent = messages.filter((m) => m.messageId !== undefined && m.error === undefined);
  return {
    messageId: sent[0]?.messageId ?? '',
    accepted: sent.map((m) => m.to),
    rejected: messages.filter((m) => m.error !== undefined).map((m) => m.to),
    messages,
    failed: messages.length - sent.length,
  };
}

export const emailSending = defineCapability({
  name: 'email_sending',
  description: 'Send one email message',
  sideEffects: true,
  request: emailSendingRequest,
  result: emailSendingResult,
  example: { to: 'ada@example.com', subject: 'Your demo is booked', text: 'See you on Tuesday at 10:00.' },
});
