/** The in-process store (`memory:`): for tests and single-run CLI use. Nothing survives the process. */
import { systemClock, type Clock } from '../../core/clock.js';
import { MemoryMailEventLog, MemorySuppressionList, type MailEventLog, type SuppressionList } from '../mail-data.js';
import { MemoryProviderState, MemorySentMailLog } from '../provider-data.js';
import type { ProviderState, SentMailLog } from '../provider-data.js';
import { clampLimit, compareRecommendations, matchesHealth, matchesRecommendation } from '../query-helpers.js';
import {
  recommendationKey,
  type EventQuery,
  type EventRecord,
  type HealthCheckRecord,
  type HealthQuery,
  type ProviderSnapshotRecord,
  type RecommendationQuery,
  type RecommendationRecord,
} from '../records.js';
import { PruneTicker, resolveRetention, type RetentionPolicy } from '../retention.js';
import type { PruneResult, Store } from '../store.js';

export class MemoryStore implements Store {
  readonly kind = 'memory';
  readonly description = 'memory:';
  private checks: HealthCheckRecord[] = [];
  private events: EventRecord[] = [];
  private nextEventId = 1;
  private readonly recs = new Map<string, RecommendationRecord>();
  private readonly snapshots = new Map<string, ProviderSnapshotRecord>();
  private readonly states = new Map<string, MemoryProviderState>();
  private readonly mail: MemorySentMailLog;
  private readonly suppressed = new MemorySuppressionList();
  private readonly mailLog = new MemoryMailEventLog();
  private readonly retention: RetentionPolicy;
  private readonly ticker: PruneTicker;
  private readonly clock: Clock;

  constructor(opts: { retention?: Partial<RetentionPolicy>; clock?: Clock } = {}) {
    this.retention = resolveRetention(opts.retention);
    this.clock = opts.clock ?? systemClock;
    this.ticker = new PruneTicker(this.retention.pruneEveryWrites);
    this.mail = new MemorySentMailLog(this.retention.sentMailMaxCount);
  }

  async appendHealthChecks(checks: readonly HealthCheckRecord[]): Promise<void> {
    for (const c of checks) this.checks.push(structuredClone(c));
    if (this.ticker.tick(checks.length) || this.checks.length > this.retention.historyMaxCount * 1.1) await this.prune();
  }

  async queryHealthChecks(query: HealthQuery = {}): Promise<HealthCheckRecord[]> {
    const out: HealthCheckRecord[] = [];
    for (let i = this.checks.length - 1; i >= 0; i--) if (matchesHealth(this.checks[i]!, query)) out.push(this.checks[i]!);
    // Newest first by timestamp; the same timestamp keeps the latest insertion first (stable sort).
    return out
      .sort((a, b) => b.timestamp - a.timestamp)
      .slice(0, clampLimit(query.limit))
      .map((c) => structuredClone(c));
  }

  async countHealthChecks(query: Omit<HealthQuery, 'limit'> = {}): Promise<number> {
    return this.checks.filter((c) => matchesHealth(c, query)).length;
  }

  async upsertRecommendation(rec: RecommendationRecord): Promise<void> {
    this.recs.set(recommendationKey(rec), structuredClone(rec));
  }

  async getRecommendation(provider: string, capability: string, issueKey: string): Promise<RecommendationRecord | undefined> {
    const r = this.recs.get(recommendationKey({ provider, capability, issueKey }));
    return r ? structuredClone(r) : undefined;
  }

  async queryRecommendations(query: RecommendationQuery = {}): Promise<RecommendationRecord[]> {
    return [...this.recs.values()]
      .filter((r) => matchesRecommendation(r, query))
      .map((r) => structuredClone(r))
      .sort(compareRecommendations);
  }

  async saveSnapshots(snapshots: readonly ProviderSnapshotRecord[]): Promise<void> {
    for (const s of snapshots) this.snapshots.set(`${s.provider}\u0000${s.capability}`, structuredClone(s));
  }

  async loadSnapshots(): Promise<ProviderSnapshotRecord[]> {
    return [...this.snapshots.values()].map((s) => structuredClone(s));
  }

  async appendEvent(event: EventRecord): Promise<number> {
    const id = this.nextEventId++;
    this.events.push({ ...structuredClone(event), id });
    if (this.ticker.tick() || this.events.length > this.retention.eventsMaxCount * 1.1) await this.prune();
    return id;
  }

  async queryEvents(query: EventQuery = {}): Promise<EventRecord[]> {
    const limit = clampLimit(query.limit);
    const out: EventRecord[] = [];
    for (let i = this.events.length - 1; i >= 0 && out.length < limit; i--) {
      const e = this.events[i]!;
      if (query.type !== undefined && e.type !== query.type) continue;
      if (query.provider !== undefined && e.provider !== query.provider) continue;
      out.push(structuredClone(e));
    }
    return out;
  }

  providerState(provider: string): ProviderState {
    let s = this.states.get(provider);
    if (!s) this.states.set(provider, (s = new MemoryProviderState()));
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
    const cutoff = this.clock.now() - this.retention.historyMaxAgeMs;
    const before = { c: this.checks.length, e: this.events.length, r: this.recs.size };
    this.checks = this.checks.filter((c) => c.timestamp >= cutoff).slice(-this.retention.historyMaxCount);
    this.events = this.events.filter((e) => e.at >= cutoff).slice(-this.retention.eventsMaxCount);
    for (const [k, r] of this.recs) if (r.resolvedAt !== null && r.resolvedAt < cutoff) this.recs.delete(k);
    return {
      healthChecks: before.c - this.checks.length,
      events: before.e - this.events.length,
      recommendations: before.r - this.recs.size,
      sentMail: 0,
      mailEvents: this.mailLog.prune(this.clock.now() - this.retention.sentMailMaxAgeMs),
    };
  }

  async clearHistory(): Promise<void> {
    this.checks = [];
    this.events = [];
    this.recs.clear();
  }

  async close(): Promise<void> {
    // Nothing to release.
  }
}
