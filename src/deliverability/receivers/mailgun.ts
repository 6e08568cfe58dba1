/**
 * Mailgun's webhooks (shared/providers-esp.md §2.4): a JSON body `{"signature":{timestamp,
 * token, signature}, "event-data":{…}}`; the signature is hex HMAC-SHA256 of timestamp+token
 * with the webhook signing key. It does not cover `event-data`, so freshness and the token are
 * the replay guards: a signature older than the tolerance is refused, and a token is accepted
 * once (kept for the tolerance window). A refusal answers 406, which Mailgun does not retry.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { GATEWAY_KEY } from '../../providers/email-sender.js';
import type { ParsedMailEvent } from '../mail-events.js';
import { jsonOf, obj, refuse, str, type InboundWebhook, type MailEventReceiver, type ReceiverVerdict } from './receiver.js';

export interface MailgunReceiverOptions {
  name: string;
  signingKey: string;
  toleranceSeconds: number;
}

/** Tokens seen, with when they may be forgotten; at most this many are kept. */
const MAX_TOKENS = 100_000;

function typeOf(e: Record<string, unknown>): ParsedMailEvent['type'] | undefined {
  switch (e.event) {
    case 'delivered':
      return 'delivered';
    case 'failed': {
      // Temporary failures are retried by Mailgun; a permanent one is a bounce unless Mailgun
      // refused to send to an address it had already suppressed (suppress-bounce, -complaint, -unsubscribe).
      if (e.severity !== 'permanent') return 'deferred';
      return typeof e.reason === 'string' && e.reason.startsWith('suppress-') ? 'dropped' : 'hard_bounce';
    }
    case 'rejected':
      return 'dropped';
    case 'complained':
      return 'complaint';
    case 'unsubscribed':
      return 'unsubscribe';
    case 'opened':
      return 'open';
    case 'clicked':
      return 'click';
    default:
      return undefined;
  }
}

export class MailgunReceiver implements MailEventReceiver {
  readonly type = 'mailgun';
  readonly name: string;
  private readonly tokens = new Map<string, number>();

  constructor(private readonly o: MailgunReceiverOptions) {
    this.name = o.name;
  }

  async receive(w: InboundWebhook, now: number): Promise<ReceiverVerdict> {
    const body = obj(jsonOf(w.raw));
    const sig = obj(body.signature);
    const timestamp = str(sig.timestamp);
    const token = str(sig.token);
    const signature = str(sig.signature);
    if (!timestamp || !token || !signature) return refuse(406, 'unsigned', 'The Mailgun signature object is missing');
    const expected = createHmac('sha256', this.o.signingKey)
      .update(timestamp + token)
      .digest();
    const given = /^[0-9a-f]{64}$/i.test(signature) ? Buffer.from(signature, 'hex') : Buffer.alloc(0);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return refuse(406, 'bad_signature', 'The Mailgun signature does not verify with the configured signing key');
    const toleranceMs = this.o.toleranceSeconds * 1000;
    if (toleranceMs > 0 && (!/^\d+$/.test(timestamp) || Math.abs(now - Number(timestamp) * 1000) > toleranceMs))
      return refuse(406, 'stale', `The Mailgun signature is more than ${this.o.toleranceSeconds} s old`);
    this.forgetOldTokens(now);
    if (this.tokens.has(token)) return refuse(406, 'replayed', 'This Mailgun signature token was used before');
    this.tokens.set(token, now + Math.max(toleranceMs, 3_600_000));
    const e = obj(body['event-data']);
    const type = typeOf(e);
    const address = str(e.recipient);
    const eventId = str(e.id);
    if (!type || !address || !eventId) return { ok: true, events: [], note: `event ${String(e.event)} is not stored` };
    const headers = obj(obj(e.message).headers);
    const messageId = str(headers['message-id']);
    const status = obj(e['delivery-status']);
    const gatewayKey = str(obj(e['user-variables'])[GATEWAY_KEY]);
    const detail = [status.code, str(status.description) ?? str(status.message), str(e.reason)]
      .filter((x) => x !== undefined && x !== '')
      .join(' ');
    return {
      ok: true,
      events: [
        {
          eventId,
          type,
          address,
          at: typeof e.timestamp === 'number' ? Math.round(e.timestamp * 1000) : now,
          ...(messageId ? { messageId } : {}),
          ...(gatewayKey ? { gatewayKey } : {}),
          ...(detail ? { detail } : {}),
        },
      ],
    };
  }

  private forgetOldTokens(now: number): void {
    for (const [token, until] of this.tokens) {
      if (until > now && this.tokens.size < MAX_TOKENS) break;
      this.tokens.delete(token);
    }
  }
}
