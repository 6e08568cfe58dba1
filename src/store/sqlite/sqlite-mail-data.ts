/** The suppression list and the mail event log on SQLite (tables of migration 2). */
import type Database from 'better-sqlite3';
import {
  hourOf,
  normaliseAddress,
  normaliseMailId,
  type MailEventLog,
  type MailEventRecord,
  type MessageQuery,
  type MailStatsBucket,
  type MailEventType,
  type SuppressionEntry,
  type SuppressionList,
  type SuppressionQuery,
} from '../mail-data.js';

interface SuppressionRow {
  address: string;
  reason: SuppressionEntry['reason'];
  source: string;
  at: number;
  detail: string | null;
}

const entryOf = (r: SuppressionRow): SuppressionEntry => ({
  address: r.address,
  reason: r.reason,
  source: r.source,
  at: r.at,
  ...(r.detail !== null ? { detail: r.detail } : {}),
});

export class SqliteSuppressionList implements SuppressionList {
  constructor(private readonly db: Database.Database) {}

  async add(e: SuppressionEntry): Promise<boolean> {
    const address = normaliseAddress(e.address);
    return this.db.transaction(() => {
      const existed = this.db.prepare('SELECT 1 FROM suppressions WHERE address = ?').get(address) !== undefined;
      this.db
        .prepare(
          `INSERT INTO suppressions (address, reason, source, at, detail) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (address) DO UPDATE SET reason = excluded.reason, source = excluded.source, at = excluded.at, detail = excluded.detail`,
        )
        .run(address, e.reason, e.source, e.at, e.detail ?? null);
      return !existed;
    })();
  }

  async remove(address: string): Promise<boolean> {
    const a = normaliseAddress(address);
    this.db.prepare('DELETE FROM soft_bounces WHERE address = ?').run(a);
    return this.db.prepare('DELETE FROM suppressions WHERE address = ?').run(a).changes > 0;
  }

  async lookup(addresses: readonly string[]): Promise<SuppressionEntry[]> {
    if (addresses.length === 0) return [];
    const rows = this.db
      .prepare('SELECT * FROM suppressions WHERE address IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(addresses.map(normaliseAddress))) as SuppressionRow[];
    return rows.map(entryOf);
  }

  async list(q: SuppressionQuery = {}): Promise<SuppressionEntry[]> {
    const rows = this.db
      .prepare('SELECT * FROM suppressions WHERE (? IS NULL OR reason = ?) AND address > ? ORDER BY address LIMIT ?')
      .all(q.reason ?? null, q.reason ?? null, q.after ?? '', q.limit ?? 1_000) as SuppressionRow[];
    return rows.map(entryOf);
  }

  async count(): Promise<number> {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM suppressions').get() as { n: number }).n;
  }

  async softBounce(address: string, at: number, since: number): Promise<number> {
    const a = normaliseAddress(address);
    return this.db.transaction(() => {
      this.db.prepare('INSERT INTO soft_bounces (address, at) VALUES (?, ?)').run(a, at);
      return (this.db.prepare('SELECT COUNT(*) AS n FROM soft_bounces WHERE address = ? AND at >= ?').get(a, since) as { n: number }).n;
    })();
  }
}

export class SqliteMailEventLog implements MailEventLog {
  constructor(
    private readonly db: Database.Database,
    private readonly onWrite: () => void,
  ) {}

  async append(e: MailEventRecord): Promise<boolean> {
    const event = { ...e, address: normaliseAddress(e.address) };
    const stored = this.db.transaction(() => {
      const info = this.db
        .prepare(
          `INSERT INTO mail_events (provider, event_id, at, received_at, gateway_key, message_id, data) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (provider, event_id) DO NOTHING`,
        )
        .run(
          event.provider,
          event.eventId,
          event.at,
          event.receivedAt,
          event.gatewayKey ?? null,
          event.messageId !== undefined ? normaliseMailId(event.messageId) : null,
          JSON.stringify(event),
        );
      if (info.changes === 0) return false;
      this.count(event.provider, event.type, 1, event.at);
      return true;
    })();
    if (stored) this.onWrite();
    return stored;
  }

  async countSent(provider: string, copies: number, at: number): Promise<void> {
    this.count(provider, 'sent', copies, at);
  }

  async forMessage(q: MessageQuery): Promise<MailEventRecord[]> {
    const rows = this.db
      .prepare(
        `SELECT data FROM mail_events
         WHERE gateway_key IN (SELECT value FROM json_each(?)) OR message_id IN (SELECT value FROM json_each(?))
         ORDER BY at, received_at LIMIT 1000`,
      )
      .all(JSON.stringify(q.gatewayKeys ?? []), JSON.stringify((q.messageIds ?? []).map(normaliseMailId))) as { data: string }[];
    return rows.map((r) => JSON.parse(r.data) as MailEventRecord);
  }

  async stats(since: number): Promise<MailStatsBucket[]> {
    const rows = this.db
      .prepare('SELECT provider, hour, type, n FROM mail_stats WHERE hour >= ? ORDER BY hour, provider')
      .all(hourOf(since)) as {
      provider: string;
      hour: number;
      type: MailEventType;
      n: number;
    }[];
    const buckets = new Map<string, MailStatsBucket>();
    for (const r of rows) {
      const key = `${r.provider}\u0000${r.hour}`;
      let b = buckets.get(key);
      if (!b) buckets.set(key, (b = { provider: r.provider, hour: r.hour, counts: {} }));
      b.counts[r.type] = r.n;
    }
    return [...buckets.values()];
  }

  /** Drops events, counts and soft bounces older than `cutoff`; how many events. */
  prune(cutoff: number): number {
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM mail_stats WHERE hour < ?').run(hourOf(cutoff));
      this.db.prepare('DELETE FROM soft_bounces WHERE at < ?').run(cutoff);
      return this.db.prepare('DELETE FROM mail_events WHERE received_at < ?').run(cutoff).changes;
    })();
  }

  private count(provider: string, type: MailEventType, n: number, at: number): void {
    this.db
      .prepare(
        'INSERT INTO mail_stats (provider, hour, type, n) VALUES (?, ?, ?, ?) ON CONFLICT (provider, hour, type) DO UPDATE SET n = n + excluded.n',
      )
      .run(provider, hourOf(at), type, n);
  }
}
