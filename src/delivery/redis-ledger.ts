/**
 * The ledger on Redis, shared by every instance: one hash per key (`state`, `owner`,
 * `leaseUntil`, `data` = the entry as JSON) with a TTL, and a sorted set by expiry for listing.
 * `begin` and owner-checked writes are Lua scripts, so they are atomic across instances.
 */
import type { Redis } from 'ioredis';
import {
  applyUpdate,
  effective,
  newEntry,
  type BeginInput,
  type BeginResult,
  type IdempotencyLedger,
  type LedgerEntry,
  type LedgerQuery,
  type LedgerUpdate,
} from './ledger.js';

// KEYS[1] entry, KEYS[2] index; ARGV: data, owner, leaseUntil, ttlMs, expiresAt, now, key
const BEGIN = `
local st = redis.call('HMGET', KEYS[1], 'state', 'leaseUntil', 'data', 'deliveryId')
if st[1] then
  if st[1] == 'in_flight' and tonumber(st[2]) <= tonumber(ARGV[6]) then
    redis.call('HSET', KEYS[1], 'state', 'unknown_outcome')
    return {0, 'unknown_outcome', st[3], st[4]}
  end
  return {0, st[1], st[3], st[4]}
end
redis.call('HSET', KEYS[1], 'state', 'in_flight', 'owner', ARGV[2], 'leaseUntil', ARGV[3], 'data', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[7])
return {1, 'in_flight', ARGV[1]}
`;

// KEYS[1] entry; ARGV: expectOwner ('' = any), newState, newData
const SETTLE = `
local st = redis.call('HMGET', KEYS[1], 'state', 'owner')
if not st[1] then return 0 end
if ARGV[1] ~= '' and (st[2] ~= ARGV[1] or st[1] ~= 'in_flight') then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'leaseUntil', '0', 'data', ARGV[3])
if ARGV[4] and ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'deliveryId', ARGV[4]) end
return 1
`;

// KEYS[1] entry, KEYS[2] index; ARGV: expectOwner ('' = any), key
const RELEASE = `
if ARGV[1] ~= '' then
  local st = redis.call('HMGET', KEYS[1], 'state', 'owner')
  if st[2] ~= ARGV[1] or st[1] ~= 'in_flight' then return 0 end
end
redis.call('ZREM', KEYS[2], ARGV[2])
return redis.call('DEL', KEYS[1])
`;

export class RedisLedger implements IdempotencyLedger {
  readonly kind = 'redis';

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async begin(input: BeginInput): Promise<BeginResult> {
    const entry = newEntry(input);
    const [acquired, state, data, deliveryId] = (await this.redis.eval(
      BEGIN,
      2,
      this.key(input.key),
      this.index(),
      JSON.stringify(entry),
      input.owner,
      String(entry.leaseUntil),
      String(input.ttlMs),
      String(entry.expiresAt),
      String(input.now),
      input.key,
    )) as [number, string, string, string | null];
    if (acquired === 1) return { acquired: true, entry };
    return { acquired: false, entry: this.decode(state, data, input.now, deliveryId) };
  }

  async settle(key: string, update: LedgerUpdate, now: number, owner?: string): Promise<boolean> {
    const [state, data, deliveryId] = await this.redis.hmget(this.key(key), 'state', 'data', 'deliveryId');
    if (state == null || data == null) return false;
    const next = applyUpdate(this.decode(state, data, now, deliveryId ?? null), update, now);
    return (await this.redis.eval(SETTLE, 1, this.key(key), owner ?? '', next.state, JSON.stringify(next), next.deliveryId ?? '')) === 1;
  }

  async release(key: string, owner?: string): Promise<void> {
    await this.redis.eval(RELEASE, 2, this.key(key), this.index(), owner ?? '', key);
  }

  async get(key: string, now: number): Promise<LedgerEntry | undefined> {
    const [state, data, deliveryId] = await this.redis.hmget(this.key(key), 'state', 'data', 'deliveryId');
    if (state == null || data == null) return undefined;
    const e = this.decode(state, data, now, deliveryId ?? null);
    if (state === 'in_flight' && e.state === 'unknown_outcome') {
      await this.redis.eval(SETTLE, 1, this.key(key), (JSON.parse(data) as { owner: string }).owner, 'unknown_outcome', JSON.stringify(e));
    }
    return e;
  }

  async list(query: LedgerQuery, now: number): Promise<LedgerEntry[]> {
    const limit = query.limit ?? 100;
    const out: LedgerEntry[] = [];
    const page = 200;
    for (let start = 0; out.length < limit; start += page) {
      const keys = await this.redis.zrevrangebyscore(this.index(), '+inf', `(${now}`, 'LIMIT', start, page);
      if (keys.length === 0) break;
      const pipe = this.redis.pipeline();
      for (const k of keys) pipe.hmget(this.key(k), 'state', 'data', 'deliveryId');
      const rows = (await pipe.exec()) ?? [];
      for (const [, v] of rows) {
        const [state, data, deliveryId] = v as [string | null, string | null, string | null];
        if (state === null || data === null) continue;
        const e = this.decode(state, data, now, deliveryId);
        if (query.state === undefined || e.state === query.state) out.push(e);
        if (out.length >= limit) break;
      }
      if (keys.length < page) break;
    }
    return out;
  }

  async prune(now: number): Promise<number> {
    return this.redis.zremrangebyscore(this.index(), '-inf', String(now));
  }

  async close(): Promise<void> {}

  /**
   * The `state` and `deliveryId` hash fields win over the JSON: the Lua takeover and the
   * outbox's enqueue (one MULTI with the delivery record) only write those fields.
   */
  private decode(state: string, data: string, now: number, deliveryId?: string | null): LedgerEntry {
    const e = JSON.parse(data) as LedgerEntry;
    if (deliveryId) e.deliveryId = deliveryId;
    if (state === 'unknown_outcome' && e.state === 'in_flight') return effective({ ...e, leaseUntil: 0 }, now);
    if (state === 'queued' && e.state === 'in_flight') return { ...e, state: 'queued', leaseUntil: 0 };
    return effective(e, now);
  }

  /** Fields that mark the key queued; the outbox adds them to its enqueue transaction. */
  queuedFields(key: string, deliveryId: string): [string, string[]] {
    return [this.key(key), ['state', 'queued', 'leaseUntil', '0', 'deliveryId', deliveryId]];
  }

  private key(k: string): string {
    return `${this.prefix}ledger:k:${k}`;
  }

  private index(): string {
    return `${this.prefix}ledger:index`;
  }
}
