/**
 * SentMailLog on Redis: a hash Message-ID -> record, a sorted set by send time (retention),
 * and a hash normalised subject -> newest Message-ID (the fallback lookup).
 */
import type { Redis } from 'ioredis';
import { normaliseMessageId, normaliseSubject } from '../provider-data.js';
import type { SentMailLog, SentMailRecord } from '../provider-data.js';

export class RedisSentMailLog implements SentMailLog {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly onWrite: () => Promise<void>,
  ) {}

  async record(entry: SentMailRecord): Promise<void> {
    const id = normaliseMessageId(entry.messageId);
    const m = this.redis
      .multi()
      .hset(`${this.prefix}mail`, id, JSON.stringify({ ...entry, messageId: id }))
      .zadd(`${this.prefix}mail:at`, entry.sentAt, id);
    const subject = entry.subject !== undefined ? normaliseSubject(entry.subject) : '';
    if (subject) m.hset(`${this.prefix}mail:subject`, subject, id);
    await m.exec();
    await this.onWrite();
  }

  async findAny(messageIds: readonly string[]): Promise<SentMailRecord | undefined> {
    if (messageIds.length === 0) return undefined;
    const values = await this.redis.hmget(`${this.prefix}mail`, ...messageIds.map(normaliseMessageId));
    const hit = values.find((v) => v !== null);
    return hit ? (JSON.parse(hit) as SentMailRecord) : undefined;
  }

  async findBySubject(subject: string): Promise<SentMailRecord | undefined> {
    const wanted = normaliseSubject(subject);
    if (!wanted) return undefined;
    const id = await this.redis.hget(`${this.prefix}mail:subject`, wanted);
    if (!id) return undefined;
    const v = await this.redis.hget(`${this.prefix}mail`, id);
    return v ? (JSON.parse(v) as SentMailRecord) : undefined;
  }

  /** Drops records older than `cutoff` and beyond the newest `maxCount`; returns how many. */
  async prune(cutoff: number, maxCount: number): Promise<number> {
    const key = `${this.prefix}mail:at`;
    const old = await this.redis.zrangebyscore(key, '-inf', `(${cutoff}`);
    const total = await this.redis.zcard(key);
    const excess = Math.max(0, total - old.length - maxCount);
    const extra = excess > 0 ? await this.redis.zrange(key, String(old.length), String(old.length + excess - 1)) : [];
    const ids = [...old, ...extra];
    if (ids.length === 0) return 0;
    await this.redis
      .multi()
      .zrem(key, ...ids)
      .hdel(`${this.prefix}mail`, ...ids)
      .exec();
    return ids.length;
  }
}
