/** Turns one fetched RFC 5322 source into a `fetchedMessage` of the reply_fetching capability. */
import { simpleParser, type AddressObject } from 'mailparser';
import type { FetchedMessage } from '../../capabilities/reply-fetching.js';
import type { SentMailLog } from '../types.js';
import { isAutoReply, isBounce } from './classify.js';
import { dsnRecipients } from './dsn.js';
import { idsIn, linkReply } from './link.js';

type Address = FetchedMessage['to'][number];

function addresses(value: AddressObject | AddressObject[] | undefined): Address[] {
  const objects = value === undefined ? [] : Array.isArray(value) ? value : [value];
  const out: Address[] = [];
  const walk = (list: AddressObject['value']): void => {
    for (const a of list) {
      if (a.group) walk(a.group);
      else if (a.address) out.push(a.name ? { address: a.address, name: a.name } : { address: a.address });
    }
  };
  for (const o of objects) walk(o.value);
  return out;
}

export async function toFetchedMessage(
  uid: number,
  source: Buffer,
  internalDate: Date | undefined,
  sentMail: SentMailLog,
): Promise<FetchedMessage> {
  const mail = await simpleParser(source, { skipImageLinks: true, skipTextToHtml: true });
  const bounce = isBounce(mail);
  const dsn = bounce ? dsnRecipients(mail, source) : undefined;
  const automatic = bounce || isAutoReply(mail);
  const inReplyTo = idsIn(mail.inReplyTo)[0];
  const references = idsIn(mail.references);
  const replyTo = await linkReply({ mail, inReplyTo, references, automatic, bounce }, sentMail);
  const date = mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date : internalDate;
  const from = addresses(mail.from)[0];
  return {
    uid,
    ...(mail.messageId ? { messageId: mail.messageId } : {}),
    ...(from ? { from } : {}),
    to: addresses(mail.to),
    cc: addresses(mail.cc),
    subject: mail.subject ?? '',
    ...(date ? { date: date.toISOString() } : {}),
    ...(inReplyTo ? { inReplyTo } : {}),
    references,
    ...(mail.text !== undefined ? { text: mail.text } : {}),
    ...(typeof mail.html === 'string' ? { html: mail.html } : {}),
    attachments: mail.attachments.map((a) => ({
      ...(a.filename ? { filename: a.filename } : {}),
      contentType: a.contentType,
      size: a.size,
    })),
    ...(replyTo ? { replyTo } : {}),
    isAutoReply: automatic && !bounce,
    isBounce: bounce,
    ...(dsn?.length ? { dsnRecipients: dsn } : {}),
  };
}
