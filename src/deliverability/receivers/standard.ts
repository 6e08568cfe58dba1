/**
 * A Standard Webhooks receiver (https://www.standardwebhooks.com) for our own and third-party
 * signed senders: `webhook-id`, `webhook-timestamp` and `webhook-signature` headers; the
 * signature is base64 HMAC-SHA256 of `id.timestamp.body` with a `whsec_` secret. The header may
 * carry several `v1,` signatures (a sender rotating its key) and several secrets may be
 * configured (we rotate ours): any match verifies. A timestamp outside the tolerance is refused
 * (401). The `webhook-id` is the event id, so a replayed id is never applied twice.
 *
 * Body: one mail event, `{"type": "hard_bounce", "timestamp": "<ISO 8601>", "data": {"address",
 * "messageId"?, "gatewayKey"?, "detail"?}}`, `type` one of the mail event types.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { MAIL_EVENT_TYPES } from '../../store/mail-data.js';
import { jsonOf, refuse, type InboundWebhook, type MailEventReceiver, type ReceiverVerdict } from './receiver.js';

export interface StandardReceiverOptions {
  name: string;
  secrets: readonly string[];
  toleranceSeconds: number;
}

const standardEvent = z
  .object({
    type: z.enum(MAIL_EVENT_TYPES.filter((t) => t !== 'sent') as [Exclude<(typeof MAIL_EVENT_TYPES)[number], 'sent'>]),
    timestamp: z.iso.datetime({ offset: true }),
    data: z
      .object({
        address: z.email(),
        messageId: z.string().min(1).max(998).optional(),
        gatewayKey: z.string().min(1).max(256).optional(),
        detail: z.string().max(1_000).optional(),
      })
      .strict(),
  })
  .strict();

export class StandardWebhookReceiver implements MailEventReceiver {
  readonly type = 'standard';
  readonly name: string;
  private readonly keys: Buffer[];

  constructor(private readonly o: StandardReceiverOptions) {
    this.name = o.name;
    this.keys = o.secrets.map((s) => Buffer.from(s.slice('whsec_'.length), 'base64'));
  }

  async receive(w: InboundWebhook, now: number): Promise<ReceiverVerdict> {
    const id = w.headers['webhook-id'];
    const timestamp = w.headers['webhook-timestamp'];
    const header = w.headers['webhook-signature'];
    if (!id || !timestamp || !header) return refuse(401, 'unsigned', 'webhook-id, webhook-timestamp and webhook-signature are required');
    if (!/^\d+$/.test(timestamp) || Math.abs(now / 1000 - Number(timestamp)) > this.o.toleranceSeconds)
      return refuse(401, 'stale', `webhook-timestamp is more than ${this.o.toleranceSeconds} s away`);
    const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), w.raw]);
    const expected = this.keys.map((k) => createHmac('sha256', k).update(signed).digest());
    const given = header
      .split(' ')
      .filter((p) => p.startsWith('v1,'))
      .map((p) => Buffer.from(p.slice(3), 'base64'));
    const match = given.some((g) => expected.some((e) => e.length === g.length && timingSafeEqual(e, g)));
    if (!match) return refuse(401, 'bad_signature', 'No webhook-signature matches a configured secret');
    const parsed = standardEvent.safeParse(jsonOf(w.raw));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return refuse(400, 'bad_body', `${issue.path.join('.') || '(body)'}: ${issue.message}`);
    }
    const { type, timestamp: at, data } = parsed.data;
    return { ok: true, events: [{ eventId: id, type, at: Date.parse(at), ...data }] };
  }
}
