/**
 * Deliverability, as the Gateway owns it: the suppression list and mail event log of the store,
 * the configured event receivers (`POST /v1/events/<name>`), and the intake that applies what
 * they verified.
 */
import type { DeliverabilityConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { MailEventLog, SuppressionList } from '../store/mail-data.js';
import { DeliverabilityHealth } from './health.js';
import { MailEventIntake, type IngestSummary, type ParsedMailEvent } from './mail-events.js';
import { createReceiver, type InboundWebhook, type MailEventReceiver } from './receivers/index.js';
import { UnsubscribeLinks, type TokenCheck } from './unsubscribe.js';

export interface DeliverabilityOptions {
  config: DeliverabilityConfig;
  suppressions: SuppressionList;
  events: MailEventLog;
  clock: Clock;
  logger: Logger;
}

/** What `POST /v1/events/<name>` answers. */
type WebhookAnswer =
  | { status: 200; body: { received: number; applied: number; duplicates: number; suppressed: number; note?: string } }
  | { status: number; body: { error: { code: string; message: string; reason: string } } };

const DAY_MS = 86_400_000;

export class Deliverability {
  readonly suppressions: SuppressionList;
  readonly events: MailEventLog;
  readonly config: DeliverabilityConfig;
  /** Bounce and complaint rates per provider, and who bulk mail tries last. */
  readonly health: DeliverabilityHealth;
  /** Called after events were applied (the gateway re-evaluates the email recommendations). */
  onEventsApplied: (() => void) | undefined;
  /** One-click unsubscribe links, when `unsubscribe.secret` and `baseUrl` are set. */
  readonly unsubscribe: UnsubscribeLinks | undefined;
  private readonly intake: MailEventIntake;
  private readonly receivers: Map<string, MailEventReceiver>;
  private readonly clock: Clock;

  constructor(o: DeliverabilityOptions) {
    this.config = o.config;
    this.suppressions = o.suppressions;
    this.events = o.events;
    this.clock = o.clock;
    this.intake = new MailEventIntake({
      suppressions: o.suppressions,
      events: o.events,
      clock: o.clock,
      logger: o.logger,
      softBounceLimit: o.config.suppression.softBounceLimit,
      softBounceWindowMs: o.config.suppression.softBounceWindowDays * DAY_MS,
    });
    this.health = new DeliverabilityHealth(o.events, o.config.thresholds, o.clock);
    const u = o.config.unsubscribe;
    this.unsubscribe =
      u.secret && u.baseUrl
        ? new UnsubscribeLinks({ secret: u.secret, baseUrl: u.baseUrl, ttlDays: u.ttlDays, ...(u.mailto ? { mailto: u.mailto } : {}) })
        : undefined;
    this.receivers = new Map(o.config.receivers.map((r) => [r.name, createReceiver(r, o.logger)]));
  }

  /** Verifies one inbound webhook with the named receiver and applies its events; undefined when no receiver has that name. */
  async receive(name: string, webhook: InboundWebhook): Promise<WebhookAnswer | undefined> {
    const receiver = this.receivers.get(name);
    if (!receiver) return undefined;
    const verdict = await receiver.receive(webhook, this.clock.now());
    if (!verdict.ok) {
      return { status: verdict.status, body: { error: { code: 'GW_EVENT_REFUSED', message: verdict.message, reason: verdict.reason } } };
    }
    const summary = await this.ingest(name, verdict.events);
    return {
      status: 200,
      body: {
        received: summary.received,
        applied: summary.applied,
        duplicates: summary.duplicates,
        suppressed: summary.suppressed.length,
        ...(verdict.note ? { note: verdict.note } : {}),
      },
    };
  }

  /**
   * A one-click unsubscribe (`POST /v1/unsubscribe/<token>`): the token's address goes on the
   * suppression list. Undefined when links are not configured.
   */
  async unsubscribeByToken(token: string): Promise<TokenCheck | undefined> {
    if (!this.unsubscribe) return undefined;
    const now = this.clock.now();
    const checked = this.unsubscribe.check(token, now);
    if (checked.ok) await this.suppressions.add({ address: checked.address, reason: 'unsubscribe', source: 'unsubscribe', at: now });
    return checked;
  }

  /** Events found another way (bounce messages read over IMAP), applied like a receiver's. */
  async ingest(source: string, events: readonly ParsedMailEvent[]): Promise<IngestSummary> {
    const summary = await this.intake.ingest(source, events);
    if (summary.applied > 0) this.onEventsApplied?.();
    return summary;
  }
}
