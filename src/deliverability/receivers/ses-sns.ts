/**
 * SES events through SNS (shared/providers-esp.md §3.4), verified as AWS's own validator does:
 * 1. `TopicArn` is one of the configured topics and `Type` a known message type;
 * 2. `SigningCertURL` matches the configured pattern (https, an `sns.<region>.amazonaws.com`
 *    host) and ends in `.pem`, checked before anything is fetched; certificates are cached by URL;
 * 3. the string to sign is rebuilt from the message's own values (`Key\nValue\n` for the keys of
 *    its type, in order) and checked with RSA-SHA1 (`SignatureVersion` 1) or RSA-SHA256 (2);
 * 4. a message older than the tolerance is refused.
 * A verified `SubscriptionConfirmation` is confirmed by fetching its `SubscribeURL` (same host
 * pattern); a `Notification` carries the SES event as a JSON string in `Message`. Refusals answer
 * 403: SNS does not retry a 4xx. The SNS `MessageId` (with the recipient) deduplicates.
 */
import { createPublicKey, verify, X509Certificate, type KeyObject } from 'node:crypto';
import type { Logger } from '../../core/logger.js';
import { GATEWAY_KEY } from '../../providers/email-sender.js';
import { httpRequest } from '../../providers/http/client.js';
import type { ParsedMailEvent } from '../mail-events.js';
import { jsonOf, obj, refuse, str, type InboundWebhook, type MailEventReceiver, type ReceiverVerdict } from './receiver.js';

export interface SesReceiverOptions {
  name: string;
  topicArns: readonly string[];
  certUrlPattern: string;
  confirmSubscriptions: boolean;
  toleranceSeconds: number;
  logger: Logger;
}

const SIGNED_KEYS: Record<string, readonly string[]> = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
  UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
};
const MAX_CACHED_CERTS = 32;

/** `Key\nValue\n` for each key of the type that is present (a null Subject counts as absent). */
function snsStringToSign(message: Record<string, unknown>): string | undefined {
  const keys = SIGNED_KEYS[String(message.Type)];
  if (!keys) return undefined;
  let out = '';
  for (const key of keys) {
    const value = message[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') return undefined;
    out += `${key}\n${value}\n`;
  }
  return out;
}

export class SesSnsReceiver implements MailEventReceiver {
  readonly type = 'ses';
  readonly name: string;
  private readonly urlPattern: RegExp;
  private readonly certs = new Map<string, KeyObject>();

  constructor(private readonly o: SesReceiverOptions) {
    this.name = o.name;
    this.urlPattern = new RegExp(o.certUrlPattern);
  }

  async receive(w: InboundWebhook, now: number): Promise<ReceiverVerdict> {
    const m = obj(jsonOf(w.raw));
    const type = str(m.Type);
    if (!type || !SIGNED_KEYS[type]) return refuse(403, 'bad_body', 'Not an SNS message');
    if (!this.o.topicArns.includes(String(m.TopicArn)))
      return refuse(403, 'unknown_topic', 'The SNS topic is not one this receiver accepts');
    const version = str(m.SignatureVersion);
    if (version !== '1' && version !== '2') return refuse(403, 'bad_signature', 'SignatureVersion must be 1 or 2');
    const certUrl = str(m.SigningCertURL) ?? str(m.SigningCertUrl);
    if (!certUrl || !this.allowedUrl(certUrl) || !new URL(certUrl).pathname.endsWith('.pem'))
      return refuse(403, 'bad_cert_url', 'The signing certificate URL is not an allowed SNS host');
    const toSign = snsStringToSign(m);
    const signature = str(m.Signature);
    if (!toSign || !signature) return refuse(403, 'bad_signature', 'The SNS message is not signed');
    let key: KeyObject;
    try {
      key = await this.certificate(certUrl);
    } catch (error) {
      this.o.logger.warn({ receiver: this.name, reason: (error as Error).message }, 'SNS signing certificate unavailable');
      return refuse(503, 'cert_unavailable', 'The SNS signing certificate could not be fetched; SNS will retry');
    }
    const valid = verify(version === '1' ? 'sha1' : 'sha256', Buffer.from(toSign, 'utf8'), key, Buffer.from(signature, 'base64'));
    if (!valid) return refuse(403, 'bad_signature', 'The SNS signature does not verify');
    const sent = Date.parse(String(m.Timestamp));
    if (this.o.toleranceSeconds > 0 && (Number.isNaN(sent) || Math.abs(now - sent) > this.o.toleranceSeconds * 1000))
      return refuse(403, 'stale', `The SNS message is more than ${this.o.toleranceSeconds} s old`);

    if (type === 'SubscriptionConfirmation') return this.confirm(str(m.SubscribeURL));
    if (type === 'UnsubscribeConfirmation') {
      this.o.logger.warn({ receiver: this.name, topic: m.TopicArn }, 'SNS says this endpoint was unsubscribed from the topic');
      return { ok: true, events: [], note: 'unsubscribe confirmation' };
    }
    const event = obj(jsonOf(Buffer.from(String(m.Message), 'utf8')));
    return { ok: true, events: sesEvents(event, String(m.MessageId), now) };
  }

  private allowedUrl(url: string): boolean {
    try {
      new URL(url);
    } catch {
      return false;
    }
    return this.urlPattern.test(url);
  }

  private async confirm(subscribeUrl: string | undefined): Promise<ReceiverVerdict> {
    if (!this.o.confirmSubscriptions) return { ok: true, events: [], note: 'subscription not confirmed (confirmSubscriptions is off)' };
    if (!subscribeUrl || !this.allowedUrl(subscribeUrl))
      return refuse(403, 'bad_subscribe_url', 'The SubscribeURL is not an allowed SNS host');
    const res = await httpRequest({
      method: 'GET',
      url: subscribeUrl,
      signal: AbortSignal.timeout(10_000),
      provider: this.name,
      sideEffects: false,
    }).catch((e: unknown) => e as Error);
    if (res instanceof Error || res.status !== 200) {
      return refuse(503, 'confirm_failed', 'The SNS subscription could not be confirmed; SNS will send the confirmation again');
    }
    this.o.logger.info({ receiver: this.name }, 'SNS subscription confirmed');
    return { ok: true, events: [], note: 'subscription confirmed' };
  }

  private async certificate(url: string): Promise<KeyObject> {
    const cached = this.certs.get(url);
    if (cached) return cached;
    const res = await httpRequest({ method: 'GET', url, signal: AbortSignal.timeout(10_000), provider: this.name, sideEffects: false });
    if (res.status !== 200) throw new Error(`certificate answered ${res.status}`);
    const key = createPublicKey(new X509Certificate(res.text).publicKey.export({ format: 'pem', type: 'spki' }));
    if (this.certs.size >= MAX_CACHED_CERTS) this.certs.delete(this.certs.keys().next().value!);
    this.certs.set(url, key);
    return key;
  }
}

/** The events of one SES notification (identity notifications or event publishing), one per recipient. */
function sesEvents(event: Record<string, unknown>, snsMessageId: string, now: number): ParsedMailEvent[] {
  const kind = str(event.eventType) ?? str(event.notificationType);
  const mail = obj(event.mail);
  const messageId = str(mail.messageId);
  const tags = obj(mail.tags);
  const keyTag = Array.isArray(tags[GATEWAY_KEY]) ? str((tags[GATEWAY_KEY] as unknown[])[0]) : undefined;
  const base = (address: string, i: number, type: ParsedMailEvent['type'], when: unknown, detail?: string): ParsedMailEvent => ({
    eventId: `${snsMessageId}:${i}`,
    type,
    address,
    at: typeof when === 'string' && !Number.isNaN(Date.parse(when)) ? Date.parse(when) : now,
    ...(messageId ? { messageId } : {}),
    ...(keyTag ? { gatewayKey: keyTag } : {}),
    ...(detail ? { detail: detail.slice(0, 300) } : {}),
  });
  const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.map(obj) : []);
  switch (kind) {
    case 'Bounce': {
      const b = obj(event.bounce);
      const sub = str(b.bounceSubType);
      // Permanent to an address already on SES's suppression list is not a new bounce.
      const type =
        b.bounceType === 'Permanent'
          ? sub === 'Suppressed' || sub === 'OnAccountSuppressionList'
            ? 'dropped'
            : 'hard_bounce'
          : 'soft_bounce';
      return list(b.bouncedRecipients).flatMap((r, i) => {
        const address = str(r.emailAddress);
        const detail = [str(b.bounceType), sub, str(r.status), str(r.diagnosticCode)].filter(Boolean).join(' ');
        return address ? [base(address, i, type, b.timestamp, detail)] : [];
      });
    }
    case 'Complaint': {
      const c = obj(event.complaint);
      // A feedback report saying "not spam" is no complaint.
      if (c.complaintFeedbackType === 'not-spam') return [];
      return list(c.complainedRecipients).flatMap((r, i) => {
        const address = str(r.emailAddress);
        return address ? [base(address, i, 'complaint', c.timestamp, str(c.complaintFeedbackType))] : [];
      });
    }
    case 'Delivery': {
      const d = obj(event.delivery);
      const recipients = Array.isArray(d.recipients) ? d.recipients.filter((r): r is string => typeof r === 'string') : [];
      return recipients.map((address, i) => base(address, i, 'delivered', d.timestamp, str(d.smtpResponse)));
    }
    case 'DeliveryDelay': {
      const d = obj(event.deliveryDelay);
      return list(d.delayedRecipients).flatMap((r, i) => {
        const address = str(r.emailAddress);
        return address ? [base(address, i, 'deferred', d.timestamp, str(r.diagnosticCode))] : [];
      });
    }
    case 'Reject': {
      const destination = Array.isArray(mail.destination) ? mail.destination.filter((r): r is string => typeof r === 'string') : [];
      return destination.map((address, i) => base(address, i, 'dropped', mail.timestamp, str(obj(event.reject).reason)));
    }
    case 'Subscription': {
      // A change of subscription preferences: only "unsubscribe from everything" suppresses.
      const s = obj(event.subscription);
      if (obj(s.newTopicPreferences).unsubscribeAll !== true) return [];
      const destination = Array.isArray(mail.destination) ? mail.destination.filter((r): r is string => typeof r === 'string') : [];
      return destination.map((address, i) => base(address, i, 'unsubscribe', s.timestamp));
    }
    case 'Open':
    case 'Click': {
      const destination = Array.isArray(mail.destination) ? mail.destination.filter((r): r is string => typeof r === 'string') : [];
      const when = obj(event[kind === 'Open' ? 'open' : 'click']).timestamp;
      return destination.map((address, i) => base(address, i, kind === 'Open' ? 'open' : 'click', when));
    }
    default:
      return [];
  }
}
