/**
 * One bounded batch of new messages from a selected mailbox: UIDs after the cursor, oldest
 * first, at most `limit`. Every message of the batch must arrive complete, or the batch fails
 * (and the caller keeps its cursor): a dropped connection is never a short, silent success.
 */
import type { ImapFlow } from 'imapflow';
import type { ImapCursor } from './cursor.js';

interface RawMessage {
  uid: number;
  source: Buffer;
  internalDate?: Date;
}

export interface Batch {
  uidValidity: string;
  /** The UIDVALIDITY differs from the cursor's: UIDs restarted, the fetch began at the start. */
  reset: boolean;
  messages: RawMessage[];
  next: ImapCursor;
  hasMore: boolean;
}

class IncompleteFetchError extends Error {
  readonly code = 'IncompleteFetch';
}

export async function fetchBatch(client: ImapFlow, cursor: ImapCursor | undefined, limit: number, since: Date | undefined): Promise<Batch> {
  const mailbox = client.mailbox;
  if (!mailbox) throw new IncompleteFetchError('no mailbox selected');
  const uidValidity = mailbox.uidValidity.toString();
  const reset = cursor !== undefined && cursor.uidValidity !== uidValidity;
  const from = cursor && !reset ? cursor.lastUid + 1 : 1;
  const startCursor: ImapCursor = { uidValidity, lastUid: from - 1 };
  if (mailbox.exists === 0 || (mailbox.uidNext !== undefined && from >= mailbox.uidNext)) {
    return { uidValidity, reset, messages: [], next: startCursor, hasMore: false };
  }
  const bySince = since !== undefined && (!cursor || reset);
  const found = await client.search({ uid: `${from}:*`, ...(bySince ? { since } : {}) }, { uid: true });
  // `from:*` also matches the highest UID when it is below `from`: filter client-side.
  const uids = (found || []).filter((u) => u >= from).sort((a, b) => a - b);
  const take = uids.slice(0, limit);
  if (take.length === 0) {
    // Nothing recent enough: start after everything that is there now.
    const next = bySince && mailbox.uidNext !== undefined ? { uidValidity, lastUid: mailbox.uidNext - 1 } : startCursor;
    return { uidValidity, reset, messages: [], next, hasMore: false };
  }
  const messages: RawMessage[] = [];
  for await (const m of client.fetch(take, { uid: true, source: true, internalDate: true }, { uid: true })) {
    if (!m.source) throw new IncompleteFetchError(`message ${m.uid} arrived without its source`);
    const internalDate = m.internalDate instanceof Date ? m.internalDate : m.internalDate ? new Date(m.internalDate) : undefined;
    messages.push({ uid: m.uid, source: m.source, ...(internalDate ? { internalDate } : {}) });
  }
  // Messages expunged meanwhile are simply missing; a dropped connection is not.
  if (!client.usable) throw new IncompleteFetchError(`connection lost after ${messages.length} of ${take.length} messages`);
  messages.sort((a, b) => a.uid - b.uid);
  return { uidValidity, reset, messages, next: { uidValidity, lastUid: take[take.length - 1]! }, hasMore: uids.length > take.length };
}
