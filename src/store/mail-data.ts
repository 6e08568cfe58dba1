/**
 * What deliverability keeps, through the store: the suppression list (addresses never to send
 * to again, with why and who said so), the log of mail events the ESPs and bounce messages
 * report (deduplicated by the provider's event id), and per-provider hourly counts of sends and
 * events (the bounce and complaint rates, the dashboard's charts). In-process implementations
 * here, for tests and for a gateway without a store; the SQLite and Redis stores implement the
 * same interfaces.
 *
 * Addresses are kept in lower case: every ESP treats them case-insensitively.
 */

export const SUPPRESSION_REASONS = ['hard_bounce', 'soft_bounce', 'complaint', 'unsubscribe', 'manual'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

export interface SuppressionEntry {
  address: string;
  reason: SuppressionReason;
  /** Who said so: a provider name (its events), `dsn` (a bounce message), `unsubscribe` (the link), `api`, `cli`, `import`. */
  source: string;
  /** Epoch ms. */
  at: number;
  /** The provider's words (an SMTP status, a complaint type), at most 300 characters. */
  detail?: string;
}

export interface SuppressionQuery {
  reason?: SuppressionReason;
  /** Addresses after this one (alphabetical paging). */
  after?: string;
  limit?: number;
}

export interface SuppressionList {
  /** Adds the address, or replaces its entry; true when it was not suppressed before. */
  add(entry: SuppressionEntry): Promise<boolean>;
  /** True when the address was suppressed. */
  remove(address: string): Promise<boolean>;
  /** The entries of those of these addresses that are suppressed. */
  lookup(addresses: readonly string[]): Promise<SuppressionEntry[]>;
  /** In address order. */
  list(query?: SuppressionQuery): Promise<SuppressionEntry[]>;
  count(): Promise<number>;
  /** Records one soft bounce of the address; how many it had since `since` (this one included). */
  softBounce(address: string, at: number, since: number): Promise<number>;
}

export const MAIL_EVENT_TYPES = [
  'sent',
  'delivered',
  'hard_bounce',
  'soft_bounce',
  'deferred',
  'dropped',
  'complaint',
  'unsubscribe',
  'open',
  'click',
] as const;
/** `sent` is counted by the gateway (a copy accepted by a provider), never reported by one. */
export type MailEventType = (typeof MAIL_EVENT_TYPES)[number];

export interface MailEventRecord {
  /** The provider (configured name) the event came from, or `dsn` for a bounce message read over IMAP. */
  provider: string;
  /** The provider's own id of the event: the deduplication key with `provider`. */
  eventId: string;
  type: Exclude<MailEventType, 'sent'>;
  address: string;
  /** When it happened (epoch ms), as the provider says. */
  at: number;
  /** When the gateway received it. */
  receivedAt: number;
  /** The provider's message id (or the original Message-ID of a bounce message). */
  messageId?: string;
  /** The idempotency key the message was sent under, when the event carries it back. */
  gatewayKey?: string;
  detail?: string;
}

export interface MessageQuery {
  /** The idempotency key, as each ESP carries it back (SES: its tag-safe form too). */
  gatewayKeys?: readonly string[];
  messageIds?: readonly string[];
}

/** An event as a receiver (or a bounce message) reports it; the intake adds the provider and the time received. */
export type IncomingMailEvent = Omit<MailEventRecord, 'provider' | 'receivedAt'>;

/** Where adapters that find mail events (bounce messages over IMAP) hand them in. */
export interface MailEventSink {
  /** `provider`: the provider whose mail the events are about (their rates count them), or `dsn`. */
  report(provider: string, events: readonly IncomingMailEvent[]): Promise<void>;
}

/** Counts per provider and hour. */
export interface MailStatsBucket {
  provider: string;
  /** Start of the hour, epoch ms. */
  hour: number;
  counts: Partial<Record<MailEventType, number>>;
}

export interface MailEventLog {
  /** Stores the event and counts it; false (nothing stored or counted) when (provider, eventId) was seen before. */
  append(event: MailEventRecord): Promise<boolean>;
  /** Counts copies sent through a provider. */
  countSent(provider: string, copies: number, at: number): Promise<void>;
  /** Events of messages sent under these keys or with these message ids, oldest first (at most 1,000). */
  forMessage(query: MessageQuery): Promise<MailEventRecord[]>;
  /** Hourly counts from `since` on, per provider, oldest first. */
  stats(since: number): Promise<MailStatsBucket[]>;
}

const HOUR_MS = 3_600_000;
export const hourOf = (at: number): number => Math.floor(at / HOUR_MS) * HOUR_MS;
export const normaliseAddress = (address: string): string => address.trim().toLowerCase();
/** Message ids are compared without their angle brackets (Mailgun's send answer has them, its events do not). */
export const normaliseMailId = (id: string): string => id.trim().replace(/^<|>$/g, '');

export class MemorySuppressionList implements SuppressionList {
  private readonly entries = new Map<string, SuppressionEntry>();
  private readonly soft = new Map<string, number[]>();

  async add(entry: SuppressionEntry): Promise<boolean> {
    const address = normaliseAddress(entry.address);
    const fresh = !this.entries.has(address);
    this.entries.set(address, { ...entry, address });
    return fresh;
  }

  async remove(address: string): Promise<boolean> {
    const a = normaliseAddress(address);
    this.soft.delete(a);
    return this.entries.delete(a);
  }

  async lookup(addresses: readonly string[]): Promise<SuppressionEntry[]> {
    return addresses.flatMap((a) => this.entries.get(normaliseAddress(a)) ?? []);
  }

  async list(q: SuppressionQuery = {}): Promise<SuppressionEntry[]> {
    return [...this.entries.values()]
      .filter((e) => (q.reason === undefined || e.reason === q.reason) && (q.after === undefined || e.address > q.after))
      .sort((a, b) => (a.address < b.address ? -1 : 1))
      .slice(0, q.limit ?? 1_000);
  }

  async count(): Promise<number> {
    return this.entries.size;
  }

  async softBounce(address: string, at: number, since: number): Promise<number> {
    const a = normaliseAddress(address);
    const times = [...(this.soft.get(a) ?? []).filter((t) => t >= since), at];
    this.soft.set(a, times);
    return times.length;
  }
}

export class MemoryMailEventLog implements MailEventLog {
  private readonly events = new Map<string, MailEventRecord>();
  private readonly buckets = new Map<string, MailStatsBucket>();

  constructor(private readonly max = 100_000) {}

  async append(event: MailEventRecord): Promise<boolean> {
    const id = `${event.provider}\u0000${event.eventId}`;
    if (this.events.has(id)) return false;
    this.events.set(id, { ...event, address: normaliseAddress(event.address) });
    if (this.events.size > this.max) this.events.delete(this.events.keys().next().value!);
    this.count(event.provider, event.type, 1, event.at);
    return true;
  }

  async countSent(provider: string, copies: number, at: number): Promise<void> {
    this.count(provider, 'sent', copies, at);
  }

  async forMessage(q: MessageQuery): Promise<MailEventRecord[]> {
    const ids = new Set((q.messageIds ?? []).map(normaliseMailId));
    const keys = new Set(q.gatewayKeys ?? []);
    return [...this.events.values()]
      .filter(
        (e) =>
          (e.gatewayKey !== undefined && keys.has(e.gatewayKey)) || (e.messageId !== undefined && ids.has(normaliseMailId(e.messageId))),
      )
      .sort((a, b) => a.at - b.at)
      .slice(0, 1_000);
  }

  async stats(since: number): Promise<MailStatsBucket[]> {
    return [...this.buckets.values()].filter((b) => b.hour >= hourOf(since)).sort((a, b) => a.hour - b.hour);
  }

  /** Drops events and counts older than `cutoff`; how many events. */
  prune(cutoff: number): number {
    let dropped = 0;
    for (const [id, e] of this.events) if (e.receivedAt < cutoff && this.events.delete(id)) dropped++;
    for (const [key, b] of this.buckets) if (b.hour < hourOf(cutoff)) this.buckets.delete(key);
    return dropped;
  }

  private count(provider: string, type: MailEventType, n: number, at: number): void {
    const hour = hourOf(at);
    const key = `${provider}\u0000${hour}`;
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = { provider, hour, counts: {} }));
    bucket.counts[type] = (bucket.counts[type] ?? 0) + n;
  }
}
