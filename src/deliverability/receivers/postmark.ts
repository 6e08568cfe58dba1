/**
 * Postmark's webhooks (shared/providers-esp.md §4.4): no signature; the webhook URL carries Basic
 * auth credentials (`https://user:pass@…`), compared here in constant time. A refusal answers
 * 403, which stops Postmark's retries. One record per webhook, by `RecordType`; our
 * `gateway_key` comes back in `Metadata`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { GATEWAY_KEY } from '../../providers/email-sender.js';
import type { ParsedMailEvent } from '../mail-events.js';
import { jsonOf, obj, refuse, str, type InboundWebhook, type MailEventReceiver, type ReceiverVerdict } from './receiver.js';

export interface PostmarkReceiverOptions {
  name: string;
  username: string;
  password: string;
}

/** Bounce `Type`s: permanent, and temporary or reputational (a block, a message filed as spam). Auto-replies, challenges and the rest are not failures to deliver. */
const HARD = new Set(['HardBounce', 'BadEmailAddress', 'ManuallyDeactivated']);
const SOFT = new Set(['SoftBounce', 'Transient', 'DnsError', 'SpamNotification', 'Blocked']);

/** Hashes both sides so the comparison takes the same time whatever the lengths. */
const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

function typeOf(e: Record<string, unknown>): ParsedMailEvent['type'] | undefined {
  switch (e.RecordType) {
    case 'Delivery':
      return 'delivered';
    case 'Bounce': {
      const kind = str(e.Type) ?? '';
      if (HARD.has(kind)) return 'hard_bounce';
      if (SOFT.has(kind)) return 'soft_bounce';
      if (kind === 'SpamComplaint') return 'complaint';
      if (kind === 'Unsubscribe') return 'unsubscribe';
      return undefined;
    }
    case 'SpamComplaint':
      return 'complaint';
    case 'SubscriptionChange':
      return e.SuppressSending === true ? 'unsubscribe' : undefined;
    case 'Open':
      return 'open';
    case 'Click':
      return 'click';
    default:
      return undefined;
  }
}

export class PostmarkReceiver implements MailEventReceiver {
  readonly type = 'postmark';
  readonly name: string;
  private readonly expected: Buffer;

  constructor(o: PostmarkReceiverOptions) {
    this.name = o.name;
    this.expected = digest(`Basic ${Buffer.from(`${o.username}:${o.password}`).toString('base64')}`);
  }

  async receive(w: InboundWebhook, now: number): Promise<ReceiverVerdict> {
    const given = w.headers.authorization;
    if (!given || !timingSafeEqual(digest(given), this.expected))
      return refuse(403, 'bad_credentials', 'The Postmark webhook credentials do not match');
    const e = obj(jsonOf(w.raw));
    const type = typeOf(e);
    const address = str(e.Email) ?? str(e.Recipient);
    if (!type || !address) return { ok: true, events: [], note: `record ${String(e.RecordType)} is not stored` };
    const messageId = str(e.MessageID);
    const when = str(e.BouncedAt) ?? str(e.DeliveredAt) ?? str(e.ReceivedAt) ?? str(e.ChangedAt);
    const at = when && !Number.isNaN(Date.parse(when)) ? Date.parse(when) : now;
    // Bounce and complaint records have their own ID; others are one per message, recipient and kind.
    const id =
      typeof e.ID === 'number' || typeof e.ID === 'string' ? String(e.ID) : `${messageId ?? ''}:${address.toLowerCase()}:${when ?? ''}`;
    const gatewayKey = str(obj(e.Metadata)[GATEWAY_KEY]);
    const detail = [str(e.Type), str(e.Details) ?? str(e.Description)].filter(Boolean).join(' ');
    return {
      ok: true,
      events: [
        {
          eventId: `${String(e.RecordType)}:${id}`,
          type,
          address,
          at,
          ...(messageId ? { messageId } : {}),
          ...(gatewayKey ? { gatewayKey } : {}),
          ...(detail ? { detail } : {}),
        },
      ],
    };
  }
}
