/**
 * The suppression list and the mail event log on Redis, shared by every gateway instance:
 * - `suppr` hash address -> entry, `suppr:idx` a sorted set of addresses (lexicographic paging),
 *   `soft:<address>` the times of its soft bounces;
 * - `mev` hash `<provider>\0<eventId>` -> event (HSETNX: the first copy wins), `mev:key:<key>`
 *   and `mev:msg:<id>` sets of event ids, `mev:at` the ids by time received (retention);
 * - `mstat:<hour>` hash `<provider>\0<type>` -> count, `mstat:hours` the hours kept.
 */
import type { Redis } from 'ioredis';
import {
  hourOf,
  normaliseAddress,
  normaliseMailId,
  type MailEventLog,
  type MailEventRecord,
  type MessageQuery,
  type MailEventType,
  type MailStatsBucket,
  type SuppressionEntry,
  type SuppressionList,
  type SuppressionQuery,
} from '../mail-data.js';

const SOFT_BOUNCE_TTL_S = 35 * 24 * 3600;

export class RedisSuppressionList implements SuppressionList {
  constructor(
    private readonly redis: Redis,
    private readonly p: string,
  ) {}

  async add(e: SuppressionEntry): Promise<boolean> {
    const address = normaliseAddress(e.address);
    const [[, fresh] = [null, 0]] = (await this.redis
      .multi()
      .hset(`${this.p}suppr`, address, JSON.stringify({ ...e, address }))
      .zadd(`${this.p}suppr:idx`, 0, address)
      .exec()) as [Error | null, number][];
    return fresh === 1;
  }

  async remove(address: string): Promise<boolean> {
    const a = normaliseAddress(address);
    const [[, removed] = [null, 0]] = (await this.redis
      .multi()
      .hdel(`${this.p}suppr`, a)
      .zrem(`${this.p}suppr:idx`, a)
      .del(`${this.p}soft:${a}`)
      .exec()) as [Error | null, number][];
    return removed === 1;
  }

  async lookup(addresses: readonly string[]): Promise<SuppressionEntry[]> {
    if (addresses.length === 0) return [];
    const values = await this.redis.hmget(`${this.p}suppr`, ...addresses.map(normaliseAddress));
    return values.flatMap((v) => (v === null ? [] : [JSON.parse(v) as SuppressionEntry]));
  }

  async list(q: SuppressionQuery = {}): Promise<SuppressionEntry[]> {
    const limit = q.limit ?? 1_000;
    const out: SuppressionEntry[] = [];
    let from = q.after === undefined ? '-' : `(${q.after}`;
    for (;;) {
      const page = await this.redis.zrangebylex(`${this.p}suppr:idx`, from, '+', 'LIMIT', 0, 500);
      if (page.length === 0) return out;
      const entries = await this.lookup(page);
      for (const e of entries) {
        if (q.reason !== undefined && e.reason !== q.reason) continue;
        out.push(e);
        if (out.length >= limit) return out;
      }
      from = `(${page.at(-1)!}`;
    }
  }

  async count(): Promise<number> {
    return this.redis.hlen(`${this.p}suppr`);
  }

  async softBounce(address: string, at: number, since: number): Promise<number> {
    const key = `${this.p}soft:${normaliseAddress(address)}`;
    const results = (await this.redis
      .multi()
      .zremrangebyscore(key, '-inf', `(${since}`)
      .zadd(key, at, `${at}:${Math.random().toString(36).slice(2)}`)
      .zcard(key)
      .expire(key, SOFT_BOUNCE_TTL_S)
      .exec()) as [Error | null, number][];
    return results[2]![1];
  }
}

export class RedisMailEventLog implements MailEventLog {
  constructor(
    private readonly redis: Redis,
    private readonly p: string,
    private readonly onWrite: () => Promise<void>,
  ) {}

  async append(e: MailEventRecord): Promise<boolean> {
    const event = { ...e, address: normaliseAddress(e.address) };
    const id = `${event.provider}\u0000${event.eventId}`;
    const fresh = await this.redis.hsetnx(`${this.p}mev`, id, JSON.stringify(event));
    if (fresh !== 1) return false;
    const m = this.redis.multi().zadd(`${this.p}mev:at`, event.receivedAt, id);
    if (event.gatewayKey !== undefined) m.sadd(`${this.p}mev:key:${event.gatewayKey}`, id);
    if (event.messageId !== undefined) m.sadd(`${this.p}mev:msg:${normaliseMailId(event.messageId)}`, id);
    this.count(m, event.provider, event.type, 1, event.at);
    await m.exec();
    await this.onWrite();
    return true;
  }

  async countSent(provider: string, copies: number, at: number): Promise<void> {
    const m = this.redis.multi();
    this.count(m, provider, 'sent', copies, at);
    await m.exec();
  }

  async forMessage(q: MessageQuery): Promise<MailEventRecord[]> {
    const sets = [
      ...(q.gatewayKeys ?? []).map((k) => `${this.p}mev:key:${k}`),
      ...(q.messageIds ?? []).map((m) => `${this.p}mev:msg:${normaliseMailId(m)}`),
    ];
    if (sets.length === 0) return [];
    const ids = await this.redis.sunion(...sets);
    if (ids.length === 0) return [];
    const values = await this.redis.hmget(`${this.p}mev`, ...ids.slice(0, 1_000));
    return values.flatMap((v) => (v === null ? [] : [JSON.parse(v) as MailEventRecord])).sort((a, b) => a.at - b.at);
  }

  async stats(since: number): Promise<MailStatsBucket[]> {
    const hours = (await this.redis.zrangebyscore(`${this.p}mstat:hours`, hourOf(since), '+inf')).map(Number);
    const out: MailStatsBucket[] = [];
    for (const hour of hours) {
      const fields = await this.redis.hgetall(`${this.p}mstat:${hour}`);
      const byProvider = new Map<string, MailStatsBucket>();
      for (const [field, n] of Object.entries(fields)) {
        const [provider = '', type] = field.split('\u0000');
        let b = byProvider.get(provider);
        if (!b) byProvider.set(provider, (b = { provider, hour, counts: {} }));
        b.counts[type as MailEventType] = Number(n);
      }
      out.push(...byProvider.values());
    }
    return out;
  }

  /** Drops events and counts older than `cutoff`; how many events. */
  async prune(cutoff: number): Promise<number> {
    const staleHours = await this.redis.zrangebyscore(`${this.p}mstat:hours`, '-inf', `(${hourOf(cutoff)}`);
    if (staleHours.length) {
      await this.redis
        .multi()
        .del(...staleHours.map((h) => `${this.p}mstat:${h}`))
        .zrem(`${this.p}mstat:hours`, ...staleHours)
        .exec();
    }
    const ids = await this.redis.zrangebyscore(`${this.p}mev:at`, '-inf', `(${cutoff}`, 'LIMIT', 0, 10_000);
    if (ids.length === 0) return 0;
    const values = await this.redis.hmget(`${this.p}mev`, ...ids);
    const m = this.redis
      .multi()
      .hdel(`${this.p}mev`, ...ids)
      .zrem(`${this.p}mev:at`, ...ids);
    values.forEach((v, i) => {
      if (v === null) return;
      const e = JSON.parse(v) as MailEventRecord;
      if (e.gatewayKey !== undefined) m.srem(`${this.p}mev:key:${e.gatewayKey}`, ids[i]!);
      if (e.messageId !== undefined) m.srem(`${this.p}mev:msg:${normaliseMailId(e.messageId)}`, ids[i]!);
    });
    await m.exec();
    return ids.length;
  }

  private count(m: ReturnType<Redis['multi']>, provider: string, type: MailEventType, n: number, at: number): void {
    const hour = hourOf(at);
    m.hincrby(`${this.p}mstat:${hour}`, `${provider}\u0000${type}`, n).zadd(`${this.p}mstat:hours`, hour, String(hour));
  }
}
