/**
 * Reads a delivery status notification (RFC 3464; shared/providers-esp.md §6.1): the
 * `message/delivery-status` part holds header-style groups separated by blank lines, first the
 * per-message group (`Reporting-MTA`, …), then one group per recipient with `Final-Recipient`
 * (`rfc822;addr`), `Action`, `Status` (an RFC 3463 code, maybe with a comment) and optional
 * `Diagnostic-Code` (maybe folded over several lines).
 */
import type { ParsedMail } from 'mailparser';
import type { FetchedMessage } from '../../capabilities/reply-fetching.js';
import type { IncomingMailEvent } from '../../store/mail-data.js';

type DsnRecipient = NonNullable<FetchedMessage['dsnRecipients']>[number];

/** The fields of one group, names in lower case, folded lines unfolded. */
function fields(group: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of group.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) out.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return out;
}

/** `rfc822; a@b.c` -> `a@b.c` (the address type is dropped). */
const addressOf = (v: string): string =>
  v
    .replace(/^[^;]*;\s*/, '')
    .replace(/^<|>$/g, '')
    .trim();

export function parseDeliveryStatus(text: string): DsnRecipient[] {
  const groups = text.split(/\r?\n\s*\r?\n/).map(fields);
  const out: DsnRecipient[] = [];
  // The first group is per message (no Final-Recipient): skipped like any group without one.
  for (const g of groups) {
    const recipient = g.get('final-recipient') ?? g.get('original-recipient');
    const action = g.get('action')?.toLowerCase();
    const status = /\d\.\d{1,3}\.\d{1,3}/.exec(g.get('status') ?? '')?.[0];
    if (!recipient || !action || !status) continue;
    const diagnostic = g.get('diagnostic-code');
    out.push({ address: addressOf(recipient), action, status, ...(diagnostic ? { diagnosticCode: diagnostic.slice(0, 300) } : {}) });
  }
  return out;
}

/**
 * The recipients a DSN reports on, or undefined when the message has no delivery-status part.
 * mailparser folds a `message/delivery-status` part into the text body, so the part is taken
 * from the source: the `multipart/report` boundary, then the part of that type (7-bit text by
 * definition, RFC 3464 §2.1).
 */
export function dsnRecipients(mail: ParsedMail, source: Buffer): DsnRecipient[] | undefined {
  const type = mail.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  const boundary = type?.params?.boundary;
  if (!boundary || type?.value?.toLowerCase() !== 'multipart/report') return undefined;
  for (const part of source.toString('utf8').split(`--${boundary}`).slice(1)) {
    const split = /\r?\n\r?\n/.exec(part);
    if (!split) continue;
    const headers = part.slice(0, split.index);
    if (!/^content-type:\s*message\/(global-)?delivery-status/im.test(headers)) continue;
    return parseDeliveryStatus(part.slice(split.index + split[0].length));
  }
  return undefined;
}

/**
 * The mail events of a fetched DSN: `failed` with a 5.x.x status is a hard bounce, with 4.x.x a
 * soft one (the MTA gave up after retrying: terminal, but not permanent); `delayed` is deferred;
 * `delivered` delivered. Each event's id is the DSN's Message-ID (or UID), the address and the
 * status, so fetching the same DSN again applies nothing twice.
 */
export function dsnEvents(m: FetchedMessage): IncomingMailEvent[] {
  const at = m.date ? Date.parse(m.date) : Date.now();
  return (m.dsnRecipients ?? []).flatMap((r): IncomingMailEvent[] => {
    const type =
      r.action === 'failed'
        ? r.status.startsWith('5.')
          ? 'hard_bounce'
          : 'soft_bounce'
        : r.action === 'delayed'
          ? 'deferred'
          : r.action === 'delivered'
            ? 'delivered'
            : undefined;
    if (!type) return [];
    return [
      {
        eventId: `${m.messageId ?? `uid:${m.uid}`}:${r.address.toLowerCase()}:${r.status}`,
        type,
        address: r.address,
        at,
        ...(m.replyTo ? { messageId: m.replyTo.messageId } : {}),
        detail: [r.status, r.diagnosticCode].filter(Boolean).join(' '),
      },
    ];
  });
}
