/**
 * Tells automatic mail from human replies.
 * Bounce: a `multipart/report; report-type=delivery-status` message, or one from MAILER-DAEMON /
 * postmaster, or a delivery-failure subject with an empty Return-Path.
 * Auto-reply (RFC 3834 and common practice): `Auto-Submitted` other than `no`, `X-Autoreply`,
 * `X-Autorespond`, `Precedence: auto_reply | bulk | junk`, or an out-of-office subject. A bounce
 * is not also flagged as auto-reply.
 */
import type { HeaderValue, ParsedMail } from 'mailparser';

const headerText = (v: HeaderValue | undefined): string => {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null && 'value' in v && typeof v.value === 'string') return v.value;
  // An address header (Return-Path) parses to an AddressObject: its `text`.
  if (typeof v === 'object' && v !== null && 'text' in v && typeof v.text === 'string') return v.text;
  if (v instanceof Date) return v.toISOString();
  return Array.isArray(v) ? v.filter((x) => typeof x === 'string').join(', ') : '';
};

function contentType(mail: ParsedMail): { value: string; params: Record<string, string> } {
  const v = mail.headers.get('content-type');
  if (v && typeof v === 'object' && 'value' in v && typeof v.value === 'string') {
    return { value: v.value.toLowerCase(), params: (v as { params?: Record<string, string> }).params ?? {} };
  }
  return { value: headerText(v).toLowerCase(), params: {} };
}

const DAEMON = /^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)@/i;
const FAILURE_SUBJECT =
  /undeliver|delivery (status notification|failure|has failed)|returned mail|failure notice|mail delivery (failed|subsystem)|non-?delivery/i;
const OOO_SUBJECT = /^\s*(auto(matic)?[ -]?(reply|response|antwort)|out of (the )?office|abwesenheit|absence)\b/i;

export function isBounce(mail: ParsedMail): boolean {
  const ct = contentType(mail);
  if (ct.value === 'multipart/report' && (ct.params['report-type'] ?? '').toLowerCase() === 'delivery-status') return true;
  const from = mail.from?.value[0]?.address ?? '';
  if (DAEMON.test(from)) return true;
  const returnPath = headerText(mail.headers.get('return-path')).trim();
  const nullSender = mail.headers.has('return-path') && (returnPath === '<>' || returnPath === '');
  return nullSender && FAILURE_SUBJECT.test(mail.subject ?? '');
}

export function isAutoReply(mail: ParsedMail): boolean {
  const h = mail.headers;
  const autoSubmitted = headerText(h.get('auto-submitted')).trim().toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') return true;
  if (h.has('x-autoreply') || h.has('x-autorespond') || h.has('x-autoresponse')) return true;
  const precedence = headerText(h.get('precedence')).trim().toLowerCase();
  if (['auto_reply', 'bulk', 'junk'].includes(precedence)) return true;
  return OOO_SUBJECT.test(mail.subject ?? '');
}
