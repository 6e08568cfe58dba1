/**
 * The SQLite store (`sqlite:<path>`): better-sqlite3, WAL journal, busy timeout, schema
 * migrations versioned in code. Survives restarts and `kill -9`; several processes may share
 * the file (one writer at a time, readers never blocked).
 */
import Database from 'better-sqlite3';
import { preparePrivateDbFile } from './private-file.js';
import { systemClock, type Clock } from '../../core/clock.js';
import type { MailEventLog, SuppressionList } from '../mail-data.js';
import type { ProviderState, SentMailLog } from '../provider-data.js';
import { clampLimit, compareRecommendations } from '../query-helpers.js';
import type {
  EventQuery,
  EventRecord,
  HealthCheckRecord,
  HealthQuery,
  ProviderSnapshotRecord,
  RecommendationQuery,
  RecommendationRecord,
} from '../records.js';
import { PruneTicker, resolveRetention, type RetentionPolicy } from '../retention.js';
import type { PruneResult, Store } from '../store.js';
import { migrate } from './migrations.js';
import { SqliteProviderState } from './sqlite-provider-state.js';
import { SqliteSentMailLog } from './sqlite-sent-mail.js';
import { SqliteMailEventLog, SqliteSuppressionList } from './sqlite-mail-data.js';
import { SqliteStatements } from './sqlite-statements.js';
import { whereClause } from './where.js';

export interface SqliteStoreOptions {
  retention?: Partial<RetentionPolicy>;
  clock?: Clock;
  /** How long a writer waits for the lock held by another process. Default 5,000 ms. */
  busyTimeoutMs?: number;
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  readonly description: string;
  private readonly db: Database.Database;
  private readonly sql: SqliteStatements;
  private readonly retention: RetentionPolicy;
  private readonly ticker: PruneTicker;
  private readonly clock: Clock;
  private readonly states = new Map<string, ProviderState>();
  private readonly mail: SentMailLog;
  private readonly suppressed: SqliteSuppressionList;
  private readonly mailLog: SqliteMailEventLog;

  constructor(
    /** The database file (`:memory:` for a private in-memory database). */
    readonly path: string,
    opts: SqliteStoreOptions = {},
  ) {
    this.description = `sqlite:${path}`;
    this.clock = opts.clock ?? systemClock;
    this.retention = resolveRetention(opts.retention);
    this.ticker = new PruneTicker(this.retention.pruneEveryWrites);
    preparePrivateDbFile(path);
    this.db = new Database(path);
    try {
      this.db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5_000))}`);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      migrate(this.db);
    } catch (error) {
      this.db.close();
      throw error;
    }
    this.sql = new SqliteStatements(this.db);
    this.mail = new SqliteSentMailLog(this.db, () => this.afterWrite());
    this.suppressed = new SqliteSuppressionList(this.db);
    this.mailLog = new SqliteMailEventLog(this.db, () => this.afterWrite());
  }

  async appendHealthChecks(checks: readonly HealthCheckRecord[]): Promise<void> {
    const insert = this.sql.insertCheck;
    this.db.transaction(() => {
      for (const c of checks) insert.run(c.provider, c.capability, c.timestamp, c.success ? 1 : 0, JSON.stringify(c));
    })();
    this.afterWrite(checks.length);
  }

  async queryHealthChecks(query: HealthQuery = {}): Promise<HealthCheckRecord[]> {
    const { where, params } = healthWhere(query);
    const rows = this.db
      .prepare(`SELECT data FROM health_checks ${where} ORDER BY at DESC, id DESC LIMIT ?`)
      .all(...params, clampLimit(query.limit)) as { data: string }[];
    return rows.map((r) => JSON.parse(r.data) as HealthCheckRecord);
  }

  async countHealthChecks(query: Omit<HealthQuery, 'limit'> = {}): Promise<number> {
    const { where, params } = healthWhere(query);
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM health_checks ${where}`).get(...params) as { n: number }).n;
  }

  async upsertRecommendation(r: RecommendationRecord): Promise<void> {
    this.sql.upsertRec.run(r.provider, r.capability, r.issueKey, r.severity, r.lastSeen, r.resolvedAt, JSON.stringify(r));
  }

  async getRecommendation(provider: string, capability: string, issueKey: string): Promise<RecommendationRecord | undefined> {
    const row = this.sql.getRec.get(provider, capability, issueKey);
    return row ? (JSON.parse(row.data) as RecommendationRecord) : undefined;
  }

  async queryRecommendations(q: RecommendationQuery = {}): Promise<RecommendationRecord[]> {
    const { where, params } = whereClause(
      [
        ['severity = ?', q.severity],
        ['provider = ?', q.provider],
        ['capability = ?', q.capability],
      ],
      q.includeResolved ? [] : ['resolved_at IS NULL'],
    );
    const rows = this.db.prepare(`SELECT data FROM recommendations ${where}`).all(...params) as { data: string }[];
    return rows.map((r) => JSON.parse(r.data) as RecommendationRecord).sort(compareRecommendations);
  }

  async saveSnapshots(snapshots: readonly ProviderSnapshotRecord[]): Promise<void> {
    const put = this.sql.putSnapshot;
    this.db.transaction(() => {
      for (const s of snapshots) put.run(s.provider, s.capability, s.savedAt, JSON.stringify(s));
    })();
  }

  async loadSnapshots(): Promise<ProviderSnapshotRecord[]> {
    return this.sql.allSnapshots.all().map((r) => JSON.parse(r.data) as ProviderSnapshotRecord);
  }

  async appendEvent(event: EventRecord): Promise<number> {
    const { id: _ignored, ...rest } = event;
    const info = this.sql.insertEvent.run(event.at, event.type, event.provider ?? null, JSON.stringify(rest));
    this.afterWrite();
    return Number(info.lastInsertRowid);
  }

  async queryEvents(q: EventQuery = {}): Promise<EventRecord[]> {
    const { where, params } = whereClause([
      ['type = ?', q.type],
      ['provider = ?', q.provider],
    ]);
    const rows = this.db.prepare(`SELECT id, data FROM events ${where} ORDER BY id DESC LIMIT ?`).all(...params, clampLimit(q.limit)) as {
      id: number;
      data: string;
    }[];
    return rows.map((r) => ({ ...(JSON.parse(r.data) as EventRecord), id: r.id }));
  }

  providerState(provider: string): ProviderState {
    let s = this.states.get(provider);
    if (!s) this.states.set(provider, (s = new SqliteProviderState(this.db, provider, this.clock)));
    return s;
  }

  sentMail(): SentMailLog {
    return this.mail;
  }

  suppressions(): SuppressionList {
    return this.suppressed;
  }

  mailEvents(): MailEventLog {
    return this.mailLog;
  }

  async prune(): Promise<PruneResult> {
    return this.pruneNow();
  }

  async clearHistory(): Promise<void> {
    this.db.exec('DELETE FROM health_checks; DELETE FROM events; DELETE FROM recommendations;');
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private afterWrite(n = 1): void {
    if (this.ticker.tick(n)) this.pruneNow();
  }

  private pruneNow(): PruneResult {
    const now = this.clock.now();
    const r = this.retention;
    const cutoff = now - r.historyMaxAgeMs;
    return this.db.transaction(() => ({
      healthChecks: this.sql.pruneChecksAge.run(cutoff).changes + this.sql.pruneChecksCount.run(r.historyMaxCount).changes,
      events: this.sql.pruneEventsAge.run(cutoff).changes + this.sql.pruneEventsCount.run(r.eventsMaxCount).changes,
      recommendations: this.sql.pruneResolvedRecs.run(cutoff).changes,
      sentMail: this.sql.pruneMailAge.run(now - r.sentMailMaxAgeMs).changes + this.sql.pruneMailCount.run(r.sentMailMaxCount).changes,
      mailEvents: this.mailLog.prune(now - r.sentMailMaxAgeMs),
    }))();
  }
}

function healthWhere(q: Omit<HealthQuery, 'limit'>): { where: string; params: (string | number)[] } {
  return whereClause([
    ['provider = ?', q.provider],
    ['capability = ?', q.capability],
    ['at >= ?', q.since],
  ]);
}
