import { z } from 'zod';
import { defineCapability } from './capability.js';
import { emailAddress, oneOrMoreEmails } from './common.js';

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

export const emailSendingRequest = z
  .object({
    to: oneOrMoreEmails,
    cc: oneOrMoreEmails.optional(),
    bcc: oneOrMoreEmails.optional(),
    from: emailAddress.optional(),
    replyTo: emailAddress.optional(),
    subject: z.string().min(1).max(998),
    text: z.string().max(5_000_000).optional(),
    html: z.string().max(5_000_000).optional(),
    headers: z
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
      })
      .optional(),
    attachments: z.array(attachment).max(20).optional(),
  })
  .refine((r) => r.text !== undefined || r.html !== undefined, { message: 'text or html is required', path: ['text'] });

export const emailSendingResult = z.object({
  messageId: z.string(),
  accepted: z.array(z.string()),
  rejected: z.array(z.string()),
  response: z.string().optional(),
});

export type EmailSendingRequest = z.infer<typeof emailSendingRequest>;
export type EmailSendingResult = z.infer<typeof emailSendingResult>;

export const emailSending = defineCapability({
  name: 'email_sending',
  description: 'Send one email message',
  sideEffects: true,
  request: emailSendingRequest,
  result: emailSendingResult,
});
