/**
 * The fetch cursor: the mailbox's UIDVALIDITY and the last UID returned. Kept in provider
 * state per mailbox and returned to the caller as an opaque string (`imap1.<uidvalidity>.<uid>`).
 */
import { GatewayError } from '../../core/errors.js';

export interface ImapCursor {
  /** UIDVALIDITY as a decimal string (it is a 32-bit unsigned number; imapflow gives a bigint). */
  uidValidity: string;
  lastUid: number;
}

export function encodeCursor(c: ImapCursor): string {
  return `imap1.${c.uidValidity}.${c.lastUid}`;
}

export function decodeCursor(value: string, provider: string): ImapCursor {
  const m = /^imap1\.(\d{1,10})\.(\d{1,10})$/.exec(value);
  if (!m) {
    throw new GatewayError('GW_INVALID_REQUEST', 'cursor is not an IMAP cursor from this provider type', {
      provider,
      capability: 'reply_fetching',
      details: { problems: [{ path: 'cursor', message: 'expected a cursor returned by an imap provider' }] },
    });
  }
  return { uidValidity: m[1]!, lastUid: Number(m[2]) };
}

export function cursorStateKey(mailbox: string): string {
  return `cursor:${mailbox}`;
}

/** Whether `next` is further along than `stored` (a UIDVALIDITY change always replaces). */
export function isAhead(next: ImapCursor, stored: ImapCursor | undefined): boolean {
  return !stored || stored.uidValidity !== next.uidValidity || next.lastUid > stored.lastUid;
}
