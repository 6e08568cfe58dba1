/**
 * The SendEmail input of an email_sending request (Simple content: SES builds the MIME). The
 * idempotency key travels as the `gateway_key` email tag, which event publishing returns in
 * `mail.tags`; tag values allow only letters, digits, `_` and `-`, so another key travels as
 * its SHA-256 (`h-` and 40 hex digits, `tagSafeKey`), the form events carry back.
 */
import type { SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { copyHeaders, messageHeaders, toList, type EmailSendingRequest } from '../../capabilities/email-sending.js';
import { formatSender, GATEWAY_COPY, GATEWAY_KEY, tagSafeKey, type Sender } from '../email-sender.js';

/** A copy to one address has that recipient's headers; a message to several, the message's. */
const headersOf = (req: EmailSendingRequest, to: string | string[]): Record<string, string> | undefined =>
  typeof to === 'string' ? copyHeaders(req, to) : messageHeaders(req);

export function sendEmailInput(
  req: EmailSendingRequest,
  to: string | string[],
  sender: Sender,
  key: string,
  configurationSetName: string | undefined,
  copy?: number,
): SendEmailCommandInput {
  const headers = headersOf(req, to);
  const utf8 = (Data: string) => ({ Data, Charset: 'UTF-8' });
  return {
    FromEmailAddress: formatSender(sender),
    Destination: {
      ToAddresses: toList(to),
      ...(req.cc ? { CcAddresses: toList(req.cc) } : {}),
      ...(req.bcc ? { BccAddresses: toList(req.bcc) } : {}),
    },
    ...(req.replyTo ? { ReplyToAddresses: [req.replyTo] } : {}),
    Content: {
      Simple: {
        Subject: utf8(req.subject),
        Body: {
          ...(req.text !== undefined ? { Text: utf8(req.text) } : {}),
          ...(req.html !== undefined ? { Html: utf8(req.html) } : {}),
        },
        ...(headers ? { Headers: Object.entries(headers).map(([Name, Value]) => ({ Name, Value })) } : {}),
        ...(req.attachments
          ? {
              Attachments: req.attachments.map((a) => ({
                RawContent: Buffer.from(a.content, 'base64'),
                FileName: a.filename,
                ...(a.contentType ? { ContentType: a.contentType } : {}),
              })),
            }
          : {}),
      },
    },
    EmailTags: [
      { Name: GATEWAY_KEY, Value: tagSafeKey(key) },
      ...(copy !== undefined ? [{ Name: GATEWAY_COPY, Value: String(copy) }] : []),
    ],
    ...(configurationSetName ? { ConfigurationSetName: configurationSetName } : {}),
  };
}
