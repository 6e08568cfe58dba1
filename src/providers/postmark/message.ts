/**
 * The Postmark message of an email_sending request (`POST /email`, or one element of `POST
 * /email/batch`). Addresses are comma-separated strings; the idempotency key (and a copy's
 * index) travel in `Metadata`, which every webhook carries back.
 */
import { copyHeaders, messageHeaders, type EmailSendingRequest } from '../../capabilities/email-sending.js';
import { formatSender, GATEWAY_COPY, GATEWAY_KEY, type Sender } from '../email-sender.js';

const joined = (v: string | string[]): string => (Array.isArray(v) ? v.join(', ') : v);

/** A copy to one address has that recipient's headers; a message to several, the message's. */
const headersOf = (req: EmailSendingRequest, to: string | string[]): Record<string, string> | undefined =>
  typeof to === 'string' ? copyHeaders(req, to) : messageHeaders(req);

export function postmarkMessage(
  req: EmailSendingRequest,
  to: string | string[],
  sender: Sender,
  key: string,
  stream: string,
  copy?: number,
): Record<string, unknown> {
  const headers = headersOf(req, to);
  return {
    From: formatSender(sender),
    To: joined(to),
    ...(req.cc ? { Cc: joined(req.cc) } : {}),
    ...(req.bcc ? { Bcc: joined(req.bcc) } : {}),
    ...(req.replyTo ? { ReplyTo: req.replyTo } : {}),
    Subject: req.subject,
    ...(req.text !== undefined ? { TextBody: req.text } : {}),
    ...(req.html !== undefined ? { HtmlBody: req.html } : {}),
    ...(headers ? { Headers: Object.entries(headers).map(([Name, Value]) => ({ Name, Value })) } : {}),
    ...(req.attachments
      ? {
          Attachments: req.attachments.map((a) => ({
            Name: a.filename,
            Content: a.content,
            ContentType: a.contentType ?? 'application/octet-stream',
          })),
        }
      : {}),
    Metadata: { [GATEWAY_KEY]: key, ...(copy !== undefined ? { [GATEWAY_COPY]: String(copy) } : {}) },
    MessageStream: stream,
  };
}
