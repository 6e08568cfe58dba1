/**
 * The multipart form of `POST /v3/{domain}/messages` (as Mailgun's own SDK sends it): repeated
 * `to`/`cc`/`bcc` fields, `h:` headers, `v:` variables. A message sent separately is a batch
 * send: several `to` fields and `recipient-variables`, so each address gets a message of its
 * own. The idempotency key travels as `v:gateway_key`, echoed in every event's `user-variables`.
 */
import { FormData } from 'undici';
import { copyHeaders, messageHeaders, toList, type EmailSendingRequest } from '../../capabilities/email-sending.js';
import { formatSender, GATEWAY_COPY, GATEWAY_KEY, type Sender } from '../email-sender.js';

export function messageForm(
  req: EmailSendingRequest,
  to: readonly string[],
  offset: number,
  sender: Sender,
  key: string,
  testMode: boolean,
): FormData {
  const form = new FormData();
  form.append('from', formatSender(sender));
  for (const address of to) form.append('to', address);
  for (const address of toList(req.cc)) form.append('cc', address);
  for (const address of toList(req.bcc)) form.append('bcc', address);
  form.append('subject', req.subject);
  if (req.text !== undefined) form.append('text', req.text);
  if (req.html !== undefined) form.append('html', req.html);
  if (req.replyTo) form.append('h:Reply-To', req.replyTo);
  form.append(`v:${GATEWAY_KEY}`, key);
  if (!req.separately) {
    for (const [name, value] of Object.entries(messageHeaders(req) ?? {})) form.append(`h:${name}`, value);
  } else {
    // Without recipient-variables every recipient would see all the others. A copy's own
    // headers (its List-Unsubscribe) travel as recipient variables the header refers to.
    const own = to.map((address) => copyHeaders(req, address) ?? {});
    const names = [...new Set(own.flatMap((h) => Object.keys(h)))];
    names.forEach((name, n) => form.append(`h:${name}`, `%recipient.h${n}%`));
    const vars = Object.fromEntries(
      to.map((address, i) => [
        address,
        { [GATEWAY_COPY]: offset + i, ...Object.fromEntries(names.map((name, n) => [`h${n}`, own[i]![name] ?? ''])) },
      ]),
    );
    form.append('recipient-variables', JSON.stringify(vars));
  }
  if (testMode) form.append('o:testmode', 'yes');
  for (const a of req.attachments ?? []) {
    form.append(
      'attachment',
      new Blob([Buffer.from(a.content, 'base64')], { type: a.contentType ?? 'application/octet-stream' }),
      a.filename,
    );
  }
  return form;
}
