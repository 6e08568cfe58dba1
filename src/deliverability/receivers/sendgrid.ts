/**
 * SendGrid's signed event webhook (shared/providers-esp.md §1.5): ECDSA P-256 with SHA-256 over
 * the `X-Twilio-Email-Event-Webhook-Timestamp` header's bytes followed by the raw body, the
 * signature base64 DER in `X-Twilio-Email-Event-Webhook-Signature`, checked with the account's
 * verification key (base64 DER SubjectPublicKeyInfo). The body is an array of events; custom
 * args (our `gateway_key`) arrive as top-level fields; `sg_event_id` deduplicates.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { GATEWAY_KEY } from '../../providers/email-sender.js';
import type { ParsedMailEvent } from '../mail-events.js';
import { jsonOf, obj, refuse, str, type InboundWebhook, type MailEventReceiver, type ReceiverVerdict } from './receiver.js';

export interface SendGridReceiverOptions {
  name: string;
  publicKey: string;
  toleranceSeconds: number;
}

/** SendGrid event -> our type; `processed` (accepted for sending) and unknown events are not stored. */
function typeOf(e: Record<string, unknown>): ParsedMailEvent['type'] | undefined {
  switch (e.event) {
    case 'delivered':
      return 'delivered';
    case 'bounce':
      // type "bounce" is permanent; "blocked" a block (reputation, temporary).
      return e.type === 'blocked' ? 'soft_bounce' : 'hard_bounce';
    case 'deferred':
      return 'deferred';
    case 'dropped':
      return 'dropped';
    case 'spamreport':
      return 'complaint';
    case 'unsubscribe':
    case 'group_unsubscribe':
      return 'unsubscribe';
    case 'open':
      return 'open';
    case 'click':
      return 'click';
    default:
      return undefined;
  }
}

export class SendGridReceiver implements MailEventReceiver {
  readonly type = 'sendgrid';
  readonly name: string;
  private readonly key: KeyObject;

  constructor(private readonly o: SendGridReceiverOptions) {
    this.name = o.name;
    this.key = createPublicKey({ key: Buffer.from(o.publicKey, 'base64'), format: 'der', type: 'spki' });
  }

  async receive(w: InboundWebhook, now: number): Promise<ReceiverVerdict> {
    const signature = w.headers['x-twilio-email-event-webhook-signature'];
    const timestamp = w.headers['x-twilio-email-event-webhook-timestamp'];
    if (!signature || !timestamp) return refuse(403, 'unsigned', 'The SendGrid signature or timestamp header is missing');
    const signed = Buffer.concat([Buffer.from(timestamp, 'utf8'), w.raw]);
    let valid: boolean;
    try {
      valid = verify('sha256', signed, { key: this.key, dsaEncoding: 'der' }, Buffer.from(signature, 'base64'));
    } catch {
      valid = false;
    }
    if (!valid) return refuse(403, 'bad_signature', 'The SendGrid signature does not verify with the configured public key');
    if (this.o.toleranceSeconds > 0 && (!/^\d+$/.test(timestamp) || Math.abs(now / 1000 - Number(timestamp)) > this.o.toleranceSeconds))
      return refuse(403, 'stale', `The SendGrid timestamp is more than ${this.o.toleranceSeconds} s away`);
    const body = jsonOf(w.raw);
    if (!Array.isArray(body)) return refuse(400, 'bad_body', 'A SendGrid event webhook body is a JSON array');
    const events: ParsedMailEvent[] = [];
    for (const item of body) {
      const e = obj(item);
      const type = typeOf(e);
      const address = str(e.email);
      const eventId = str(e.sg_event_id);
      if (!type || !address || !eventId) continue;
      const messageId = str(e.sg_message_id)?.split('.')[0];
      const detail = [str(e.status), str(e.reason), str(e.bounce_classification)].filter(Boolean).join(' ');
      events.push({
        eventId,
        type,
        address,
        at: typeof e.timestamp === 'number' ? e.timestamp * 1000 : now,
        ...(messageId ? { messageId } : {}),
        ...(str(e[GATEWAY_KEY]) ? { gatewayKey: str(e[GATEWAY_KEY])! } : {}),
        ...(detail ? { detail } : {}),
      });
    }
    return { ok: true, events };
  }
}
