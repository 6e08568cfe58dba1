/**
 * The Redis store (`redis://host:port[/db][?prefix=]`) for several gateway instances sharing
 * one picture: health checks and events in sorted sets (newest first, bounded by count and
 * age), recommendations and snapshots in hashes, provider state in a hash per provider, sent
 * mail with its own retention. Every key starts with the prefix (default `aicmo:`).
 */
import type { Redis } from 'ioredis';
import { systemClock, type Clock } from '../../core/clock.js';
import type { MailEventLog, SuppressionList } from '../mail-data.js';
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
import { openRedis, parseRedisUrl, type RedisTarget } from './redis-connection.js';
import { RedisProviderState } from './redis-provider-state.js';
import { RedisSentMailLog } from './redis-sent-mail.js';
import { RedisMailEventLog, RedisSuppressionList } from './redis-mail-data.js';

export interface RedisStoreOptions {
  retention?: Partial<RetentionPolicy>;
  clock?: Clock;
}

const SEQ_WIDTH = 16;

export class RedisStore implements Store {
  readonly kind = 'redis';
  readonly description: string;
  readonly redis: Redis;
  readonly target: RedisTarget;
  private readonly p: string;
  private readonly retention: RetentionPolicy;
  private readonly ticker: PruneTicker;
  private readonly clock: Clock;
  private readonly mail: RedisSentMailLog;
  private readonly suppressed: RedisSuppressionList;
  private readonly mailLog: RedisMailEventLog;
  private readonly states = new Map<string, ProviderState>();

  constructor(url: string, opts: RedisStoreOptions = {}) {
    this.target = parseRedisUrl(url);
    this.description = this.target.description;
    this.p = this.target.prefix;
    this.redis = openRedis(this.target, 'aicmo-store');
    this.clock = opts.clock ?? systemClock;
    this.retention = resolveRetention(opts.retention);
    this.ticker = new PruneTicker(this.retention.pruneEveryWrites);
    this.mail = new RedisSentMailLog(this.redis, this.p, () => this.afterWrite());
    this.suppressed = new RedisSuppressionList(this.redis, this.p);
    this.mailLog = new RedisMailEventLog(this.redis, this.p, () => this.afterWrite());
  }

  async appendHealthChecks(checks: readonly HealthCheckRecord[]): Promise<void> {
    if (checks.length === 0) return;
    const last = await this.redis.incrby(`${this.p}hc:seq`, checks.length);
    const args: (string | number)[] = [];
    checks.forEach((c, i) =>
      args.push(c.timestamp, `${String(last - checks.length + i + 1).padStart(SEQ_WIDTH, '0')}|${JSON.stringify(c)}`),
    );
    await this.redis.zadd(`${this.p}hc`, ...args);
    await this.afterWrite(checks.length);
  }

  async queryHealthChecks(query: HealthQuery = {}): Promise<HealthCheckRecord[]> {
    const limit = clampLimit(query.limit);
    const out: HealthCheckRecord[] = [];
    for await (const c of this.scanChecks(query.since)) {
      if (out.length >= limit) break;
      if (matchesHealth(c, query)) out.push(c);
    }
    return out;
  }

  async countHealthChecks(query: Omit<HealthQuery, 'limit'> = {}): Promise<number> {
    if (query.provider === undefined && query.capability === undefined) {
      return this.redis.zcount(`${this.p}hc`, query.since ?? '-inf', '+inf');
    }
    let n = 0;
    for await (const c of this.scanChecks(query.since)) if (matchesHealth(c, query)) n++;
    return n;
  }

  async upsertRecommendation(rec: RecommendationRecord): Promise<void> {
    await this.redis.hset(`${this.p}recs`, recommendationKey(rec), JSON.stringify(rec));
  }

  async getRecommendation(provider: string, capability: string, issueKey: string): Promise<RecommendationRecord | undefined> {
    const v = await this.redis.hget(`${this.p}recs`, recommendationKey({ provider, capability, issueKey }));
    return v ? (JSON.parse(v) as RecommendationRecord) : undefined;
  }

  async queryRecommendations(query: RecommendationQuery = {}): Promise<RecommendationRecord[]> {
    const all = Object.values(await this.redis.hgetall(`${this.p}recs`)).map((v) => JSON.parse(v) as RecommendationRecord);
    return all.filter((r) => matchesRecommendation(r, query)).sort(compareRecommendations);
  }

  async saveSnapshots(snapshots: readonly ProviderSnapshotRecord[]): Promise<void> {
    if (snapshots.length === 0) return;
    const args: string[] = [];
    for (const s of snapshots) args.push(`${s.provider}\u0000${s.capability}`, JSON.stringify(s));
    await this.redis.hset(`${this.p}snapshots`, ...args);
  }

  async loadSnapshots(): Promise<ProviderSnapshotRecord[]> {
    return Object.values(await this.redis.hgetall(`${this.p}snapshots`)).map((v) => JSON.parse(v) as ProviderSnapshotRecord);
  }

  async appendEvent(event: EventRecord): Promise<number> {
    const id = await this.redis.incr(`${this.p}events:seq`);
    const { id: _ignored, ...rest } = event;
    await this.redis.zadd(`${this.p}events`, id, JSON.stringify({ ...rest, id }));
    await this.afterWrite();
    return id;
  }

  async queryEvents(query: EventQuery = {}): Promise<EventRecord[]> {
    const limit = clampLimit(query.limit);
    const out: EventRecord[] = [];
    const page = 200;
    for (let start = 0; out.length < limit; start += page) {
      const rows = await this.redis.zrevrange(`${this.p}events`, start, start + page - 1);
      for (const r of rows) {
        const e = JSON.parse(r) as EventRecord;
        if ((query.type === undefined || e.type === query.type) && (query.provider === undefined || e.provider === query.provider))
          out.push(e);
        if (out.length >= limit) break;
      }
      if (rows.length < page) break;
    }
    return out;
  }

  providerState(provider: string): ProviderState {
    let s = this.states.get(provider);
    if (!s) this.states.set(provider, (s = new RedisProviderState(this.redis, `${this.p}pstate:${provider}`)));
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
    const r = this.retention;
    const now = this.clock.now();
    const cutoff = now - r.historyMaxAgeMs;
    const hc = `${this.p}hc`;
    const ev = `${this.p}events`;
    let healthChecks = await this.redis.zremrangebyscore(hc, '-inf', `(${cutoff}`);
    healthChecks += await this.redis.zremrangebyrank(hc, 0, -r.historyMaxCount - 1);
    let events = 0;
    for (;;) {
      const oldest = await this.redis.zrange(ev, '0', '99');
      const stale = oldest.filter((v) => (JSON.parse(v) as EventRecord).at < cutoff);
      if (stale.length) events += await this.redis.zrem(ev, ...stale);
      if (stale.length < oldest.length || oldest.length === 0) break;
    }
    events += await this.redis.zremrangebyrank(ev, 0, -r.eventsMaxCount - 1);
    const recs = await this.redis.hgetall(`${this.p}recs`);
    const dropped = Object.entries(recs)
      .filter(([, v]) => {
        const rec = JSON.parse(v) as RecommendationRecord;
        return rec.resolvedAt !== null && rec.resolvedAt < cutoff;
      })
      .map(([k]) => k);
    if (dropped.length) await this.redis.hdel(`${this.p}recs`, ...dropped);
    const sentMail = await this.mail.prune(now - r.sentMailMaxAgeMs, r.sentMailMaxCount);
    const mailEvents = await this.mailLog.prune(now - r.sentMailMaxAgeMs);
    return { healthChecks, events, recommendations: dropped.length, sentMail, mailEvents };
  }

  async clearHistory(): Promise<void> {
    await this.redis.del(`${this.p}hc`, `${this.p}events`, `${this.p}recs`);
  }

  async close(): Promise<void> {
    if (this.redis.status === 'end') return;
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private async afterWrite(n = 1): Promise<void> {
    if (this.ticker.tick(n)) await this.prune();
  }

  /** Health checks newest first (by timestamp, then insertion), read in pages. */
  private async *scanChecks(since?: number): AsyncGenerator<HealthCheckRecord> {
    const page = 500;
    for (let offset = 0; ; offset += page) {
      const rows = await this.redis.zrevrangebyscore(`${this.p}hc`, '+inf', since ?? '-inf', 'LIMIT', offset, page);
      for (const r of rows) yield JSON.parse(r.slice(r.indexOf('|') + 1)) as HealthCheckRecord;
      if (rows.length < page) return;
    }
  }
}
