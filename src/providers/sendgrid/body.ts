/**
 * The v3 Mail Send body of an email_sending request. A message sent separately is one
 * personalization per address (each an envelope of its own, nobody sees another). The
 * idempotency key (and a copy's index) travel as `custom_args`, which every event carries back.
 */
import { copyHeaders, messageHeaders, toList, type EmailSendingRequest } from '../../capabilities/email-sending.js';
import { GATEWAY_COPY, GATEWAY_KEY, type Sender } from '../email-sender.js';
const addresses = (v: string | string[] | undefined): { email: string }[] => toList(v).map((email) => ({ email }));

export function mailSendBody(
  req: EmailSendingRequest,
  to: readonly string[],
  offset: number,
  sender: Sender,
  key: string,
  sandbox: boolean,
) {
  const personalizations = req.separately
    ? to.map((email, i) => {
        const headers = copyHeaders(req, email);
        return { to: [{ email }], custom_args: { [GATEWAY_COPY]: String(offset + i) }, ...(headers ? { headers } : {}) };
      })
    : [
        {
          to: addresses(req.to),
          ...(req.cc ? { cc: addresses(req.cc) } : {}),
          ...(req.bcc ? { bcc: addresses(req.bcc) } : {}),
        },
      ];
  // text/plain must come before text/html.
  const content = [
    ...(req.text !== undefined ? [{ type: 'text/plain', value: req.text }] : []),
    ...(req.html !== undefined ? [{ type: 'text/html', value: req.html }] : []),
  ];
  return {
    personalizations,
    from: sender.name ? { email: sender.address, name: sender.name } : { email: sender.address },
    ...(req.replyTo ? { reply_to: { email: req.replyTo } } : {}),
    subject: req.subject,
    content,
    ...(!req.separately && messageHeaders(req) ? { headers: messageHeaders(req) } : {}),
    ...(req.attachments
      ? {
          attachments: req.attachments.map((a) => ({
            content: a.content,
            filename: a.filename,
            ...(a.contentType ? { type: a.contentType } : {}),
          })),
        }
      : {}),
    custom_args: { [GATEWAY_KEY]: key },
    ...(sandbox ? { mail_settings: { sandbox_mode: { enable: true } } } : {}),
  };
}
