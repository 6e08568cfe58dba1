/**
 * Jobs on Redis, beside the BullMQ outbox (./bullmq-outbox.ts). A job's items are stored as
 * delivery records in a Redis list while the job is `receiving`, and enter the BullMQ outbox only
 * while the job runs, a window at a time: BullMQ has no state that holds a job back, so an item
 * in its queue would be sent even though its job is still being received or was paused. Once
 * fed, an item is an outbox delivery like any other (lease, takeover, retries, dead letters),
 * leased after ordinary deliveries (BullMQ priority), and the worker reports its end here.
 *
 * Keys, under the store's prefix:
 * - `job:<id>`: hash. `job` (the fixed part as JSON), `state`, `items`, `updatedAt`, `stored`
 *   and `fed` (records stored, and fed to BullMQ, in list order), `outstanding` (fed records not
 *   ended), `n:<state>` (items ended in each state), `p:<provider>` (items delivered by each),
 *   `refused` (items a provider refused inside a delivered merged request);
 * - `job:<id>:items`: list, the stored records in position order;
 * - `job:<id>:ended`: set of the record ids already counted, so an end counts once (a record
 *   counted before a crash is not counted again when another worker takes it over);
 * - `job:<id>:rate`: hash, items delivered per second (the rate over the last minute);
 * - `jobkey:k:<key>`: the id of the job submitted under the caller's key (`jobkey:id:<id>` for a
 *   job without one, so one script creates both); `jobs`: sorted set of
 *   job ids by creation time; `jobs:running`: the running jobs, fed by every instance's worker.
 *
 * Feeding is safe to repeat: a record's BullMQ id is derived from its job and key, and
 * BullMQ ignores an add under an id it holds, so two instances feeding at once, or a crash
 * between the add and the cursor's advance, add nothing twice; the cursor moves by
 * compare-and-set, only while the job runs.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { JOB_BATCHES } from '../capabilities/job-batches.js';
import { deliveryIdFor, type JobRecord as BullRecord } from './bullmq-outbox.js';
import { inFlight, mismatch } from './delivery-errors.js';
import {
  jobFigures,
  type CreateJobInput,
  type JobControl,
  type JobItemInput,
  type JobItemQuery,
  type JobRecord,
  type JobState,
  type JobStore,
  type StateRow,
} from './jobs.js';
import { DELIVERY_STATES, type DeliveryRecord } from './outbox.js';
import type { RedisLedger } from './redis-ledger.js';

/** Fed records of one job not yet ended, at most. */
const FEED_WINDOW = 512;
/** How long a job's keys are kept after it was last touched (its results with them). */
const KEEP_MS = 7 * 24 * 3_600_000;

type StoredState = Exclude<JobState, 'completed'>;

/** The part of a job that never changes. */
interface JobMeta {
  id: string;
  key?: string;
  capability: string;
  spread: boolean;
  createdAt: number;
}

// KEYS: jobkey, job, jobs; ARGV: id, meta JSON, now, keepMs. Returns the existing job id, or '' when created.
const CREATE = `
local existing = redis.call('GET', KEYS[1])
if existing then return existing end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[4])
redis.call('HSET', KEYS[2], 'job', ARGV[2], 'state', 'receiving', 'items', 0, 'updatedAt', ARGV[3], 'stored', 0, 'fed', 0, 'outstanding', 0)
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', tonumber(ARGV[3]) - tonumber(ARGV[4]))
return ''
`;

// KEYS: job; ARGV: expected fed, new fed, records added. Advances the cursor while the job runs.
const ADVANCE = `
local st = redis.call('HMGET', KEYS[1], 'state', 'fed')
if st[1] ~= 'running' or st[2] ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'fed', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'outstanding', ARGV[3])
return 1
`;

// KEYS: job, ended, rate; ARGV: record id, state, items, provider ('' none), refused, second, fed (1: it was in BullMQ), keepMs.
// Counts an end once per record; returns 1 when counted.
const END = `
if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then return 0 end
redis.call('PEXPIRE', KEYS[2], ARGV[8])
redis.call('HINCRBY', KEYS[1], 'n:' .. ARGV[2], ARGV[3])
if ARGV[7] == '1' then redis.call('HINCRBY', KEYS[1], 'outstanding', -1) end
if ARGV[4] ~= '' then
  redis.call('HINCRBY', KEYS[1], 'p:' .. ARGV[4], ARGV[3])
  redis.call('HINCRBY', KEYS[1], 'refused', ARGV[5])
  redis.call('HINCRBY', KEYS[3], ARGV[6], ARGV[3])
  redis.call('PEXPIRE', KEYS[3], 120000)
  if redis.call('HLEN', KEYS[3]) > 120 then
    for _, s in ipairs(redis.call('HKEYS', KEYS[3])) do
      if tonumber(s) < tonumber(ARGV[6]) - 60 then redis.call('HDEL', KEYS[3], s) end
    end
  end
end
return 1
`;

/** What the worker should do with a fed job item now. */
export type JobHold = 'run' | 'paused' | 'cancelled';

export interface RedisJobsOptions {
  redis: Redis;
  prefix: string;
  queue: Queue;
  ledger: RedisLedger;
  /** Delivered records are kept this long in BullMQ (the outbox's). */
  keepMs: number;
}

export class RedisJobs implements JobStore {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(private readonly o: RedisJobsOptions) {
    this.redis = o.redis;
    this.prefix = o.prefix;
  }

  async create(i: CreateJobInput): Promise<{ job: JobRecord; created: boolean }> {
    const meta: JobMeta = {
      id: i.id,
      capability: i.capability,
      spread: i.spread,
      createdAt: i.now,
      ...(i.key === undefined ? {} : { key: i.key }),
    };
    const jobKey = this.jobKey(meta);
    const existing = (await this.redis.eval(
      CREATE,
      3,
      jobKey,
      this.job(i.id),
      this.k('jobs'),
      i.id,
      JSON.stringify(meta),
      i.now,
      KEEP_MS,
    )) as string;
    if (existing === '') return { job: (await this.get(i.id, i.now))!, created: true };
    const job = await this.get(existing, i.now);
    if (!job) throw inFlight(i.key!, i.capability); // the first submission is being discarded right now
    if (job.state === 'receiving') throw inFlight(i.key!, job.capability);
    return { job, created: false };
  }

  async append(jobId: string, items: readonly JobItemInput[], l: { owner: string; ttlMs: number; now: number }): Promise<void> {
    const meta = await this.meta(jobId);
    if (!meta || (await this.redis.hget(this.job(jobId), 'state')) !== 'receiving') throw new Error(`job ${jobId} is not receiving items`);
    const records = await Promise.all(items.map((item) => this.record(meta, item, l)));
    const ended = records.filter((r) => r.state !== 'pending');
    const m = this.redis.multi();
    m.rpush(this.itemList(jobId), ...records.map((r) => JSON.stringify(r)));
    m.pexpire(this.itemList(jobId), KEEP_MS);
    m.hincrby(this.job(jobId), 'stored', records.length);
    m.hincrby(
      this.job(jobId),
      'items',
      items.reduce((n, item) => n + item.items, 0),
    );
    m.hset(this.job(jobId), 'updatedAt', l.now);
    await m.exec();
    for (const r of ended) await this.ended(r, false);
  }

  /** The stored record of one item: pending with its key begun in the ledger, or a duplicate or mismatch ended at once. */
  private async record(meta: JobMeta, item: JobItemInput, l: { owner: string; ttlMs: number; now: number }): Promise<DeliveryRecord> {
    // Per job and key: a key freed by a cancelled job may come again in another job, whose record
    // must not collide with the cancelled one that BullMQ still keeps.
    const id = deliveryIdFor(`${meta.id}\n${item.idempotencyKey}`);
    const rec: DeliveryRecord = {
      id,
      idempotencyKey: item.idempotencyKey,
      capability: meta.capability,
      state: 'pending',
      attempts: 0,
      createdAt: l.now,
      updatedAt: l.now,
      nextAttemptAt: null,
      request: item.request ?? null,
      job: { id: meta.id, position: item.position, items: item.items, spread: meta.spread },
    };
    const begun = await this.o.ledger.begin({
      key: item.idempotencyKey,
      capability: meta.capability,
      fingerprint: item.fingerprint,
      owner: l.owner,
      now: l.now,
      leaseMs: l.ttlMs,
      ttlMs: l.ttlMs,
    });
    if (begun.acquired) {
      await this.o.ledger.settle(item.idempotencyKey, { state: 'queued', deliveryId: id }, l.now);
      return rec;
    }
    const before = begun.entry;
    if (before.fingerprint === item.fingerprint)
      return {
        ...rec,
        state: 'duplicate',
        result: { idempotencyKey: before.key, state: before.state, deliveryId: before.deliveryId ?? null },
      };
    const e = mismatch(before, meta.capability);
    return { ...rec, state: 'failed', lastError: { code: e.code, kind: e.kind, message: e.message } };
  }

  async open(jobId: string, now: number): Promise<void> {
    await this.setState(jobId, 'running', now, ['receiving']);
    await this.feed(jobId);
  }

  async discard(jobId: string): Promise<void> {
    const meta = await this.meta(jobId);
    for await (const page of this.pages(jobId, 0)) {
      await Promise.all(page.filter((r) => r.state === 'pending').map((r) => this.o.ledger.release(r.idempotencyKey)));
    }
    const m = this.redis
      .multi()
      .del(this.job(jobId), this.itemList(jobId), this.endedSet(jobId), this.rate(jobId))
      .zrem(this.k('jobs'), jobId);
    if (meta) m.del(this.jobKey(meta));
    await m.exec();
  }

  async get(id: string, now: number): Promise<JobRecord | undefined> {
    const h = await this.redis.hgetall(this.job(id));
    if (!h.job) return undefined;
    return this.view(JSON.parse(h.job) as JobMeta, h, now);
  }

  async list(limit: number, now: number): Promise<JobRecord[]> {
    const ids = await this.redis.zrevrange(this.k('jobs'), 0, limit - 1);
    const jobs = await Promise.all(ids.map((id) => this.get(id, now)));
    return jobs.filter((j): j is JobRecord => j !== undefined);
  }

  async control(id: string, action: JobControl, now: number): Promise<JobRecord | undefined> {
    const state = (await this.redis.hget(this.job(id), 'state')) as StoredState | null;
    if (state === null) return undefined;
    if (action === 'pause') await this.setState(id, 'paused', now, ['running']);
    if (action === 'resume' && (await this.setState(id, 'running', now, ['paused']))) await this.feed(id);
    if (action === 'cancel' && (await this.setState(id, 'cancelled', now, ['running', 'paused']))) await this.cancelUnfed(id, now);
    return this.get(id, now);
  }

  /** A cancelled job's records not fed to BullMQ end as cancelled here (the fed ones end in the worker). */
  private async cancelUnfed(id: string, now: number): Promise<void> {
    const fed = Number(await this.redis.hget(this.job(id), 'fed'));
    for await (const page of this.pages(id, fed)) {
      await Promise.all(
        page
          .filter((r) => r.state === 'pending')
          .map(async (r) => {
            await this.o.ledger.release(r.idempotencyKey);
            await this.ended({ ...r, state: 'cancelled', updatedAt: now }, false);
          }),
      );
    }
  }

  async items(id: string, q: JobItemQuery): Promise<DeliveryRecord[]> {
    const h = await this.redis.hmget(this.job(id), 'state', 'fed', 'stored');
    if (h[0] === null) return [];
    const [state, fed, stored] = [h[0] as StoredState, Number(h[1]), Number(h[2])];
    const limit = q.limit ?? 1_000;
    const out: DeliveryRecord[] = [];
    let index = await this.indexOf(id, q.fromPosition ?? 0, stored);
    for await (const page of this.pages(id, index)) {
      const current = await Promise.all(page.map((r, k) => this.current(r, state, index + k < fed)));
      for (const r of current) {
        if (r && (q.states === undefined || q.states.includes(r.state))) out.push(r);
        if (out.length >= limit) return out;
      }
      index += page.length;
    }
    return out;
  }

  /** A stored record as it stands: BullMQ's copy once fed (undefined when BullMQ no longer keeps it). */
  private async current(stored: DeliveryRecord, state: StoredState, wasFed: boolean): Promise<DeliveryRecord | undefined> {
    if (stored.state !== 'pending') return stored;
    if (!wasFed) return state === 'cancelled' ? { ...stored, state: 'cancelled' } : stored;
    const job = await this.o.queue.getJob(stored.id);
    const data = job?.data as BullRecord | undefined;
    if (!data) return undefined;
    const { calling: _calling, ...rec } = data;
    return rec;
  }

  /** The list index of the record that holds `position` (records are in position order; a merged one holds several). */
  private async indexOf(id: string, position: number, stored: number): Promise<number> {
    let lo = 0;
    let hi = Math.min(position, stored); // a record holds at least one position
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const raw = await this.redis.lindex(this.itemList(id), mid);
      const job = raw === null ? undefined : (JSON.parse(raw) as DeliveryRecord).job;
      if (job && job.position + job.items <= position) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private async *pages(id: string, from: number): AsyncGenerator<DeliveryRecord[]> {
    for (let start = from; ; start += 500) {
      const raw = await this.redis.lrange(this.itemList(id), start, start + 499);
      if (raw.length === 0) return;
      yield raw.map((r) => JSON.parse(r) as DeliveryRecord);
    }
  }

  /**
   * Feeds a running job's next records into BullMQ while fewer than FEED_WINDOW are out; records
   * that ended when stored (duplicates) are passed over.
   */
  async feed(id: string): Promise<void> {
    for (;;) {
      const [state, fedRaw, outstandingRaw] = await this.redis.hmget(this.job(id), 'state', 'fed', 'outstanding');
      if (state !== 'running') return;
      const room = FEED_WINDOW - Number(outstandingRaw);
      if (room <= 0) return;
      const fed = Number(fedRaw);
      const raw = await this.redis.lrange(this.itemList(id), fed, fed + room - 1);
      if (raw.length === 0) return;
      const pending = raw.map((r) => JSON.parse(r) as DeliveryRecord).filter((r) => r.state === 'pending');
      const now = Date.now();
      await this.o.queue.addBulk(
        pending.map((r) => ({
          name: 'deliver',
          data: { ...r, nextAttemptAt: now },
          opts: {
            jobId: r.id,
            priority: 1, // after ordinary deliveries, which carry none
            removeOnComplete: { age: Math.ceil(this.o.keepMs / 1000) },
            removeOnFail: { age: Math.ceil((this.o.keepMs * 7) / 1000) },
          },
        })),
      );
      const advanced = await this.redis.eval(ADVANCE, 1, this.job(id), String(fed), String(fed + raw.length), String(pending.length));
      if (advanced !== 1) return; // another instance fed them, or the job stopped
    }
  }

  /** Feeds every running job (each instance's worker calls this now and then, and at start). */
  async feedRunning(): Promise<void> {
    for (const id of await this.redis.smembers(this.k('jobs:running'))) await this.feed(id);
  }

  /** Whether a fed item of this job should be sent now. */
  async hold(jobId: string): Promise<JobHold> {
    const state = await this.redis.hget(this.job(jobId), 'state');
    return state === 'paused' ? 'paused' : state === 'cancelled' ? 'cancelled' : 'run';
  }

  /**
   * A job item ended (delivered, failed, dead, unknown, cancelled; `fed`: it was in BullMQ).
   * Counted once per record; then the job's next records are fed.
   */
  async ended(rec: DeliveryRecord, fed = true): Promise<void> {
    const job = rec.job;
    if (!job) return;
    const delivered = rec.state === 'delivered';
    await this.redis.eval(
      END,
      3,
      this.job(job.id),
      this.endedSet(job.id),
      this.rate(job.id),
      rec.id,
      rec.state,
      String(job.items),
      delivered ? (rec.provider ?? 'unknown') : '',
      String(delivered ? refusedIn(rec) : 0),
      String(Math.floor(rec.updatedAt / 1000)),
      fed ? '1' : '0',
      String(KEEP_MS),
    );
    if (fed) await this.feed(job.id);
  }

  private async setState(id: string, state: StoredState, now: number, from: readonly StoredState[]): Promise<boolean> {
    const current = (await this.redis.hget(this.job(id), 'state')) as StoredState | null;
    if (current === null || !from.includes(current)) return false;
    const m = this.redis.multi().hset(this.job(id), 'state', state, 'updatedAt', now);
    if (state === 'running') m.sadd(this.k('jobs:running'), id);
    else m.srem(this.k('jobs:running'), id);
    await m.exec();
    return true;
  }

  private async meta(id: string): Promise<JobMeta | undefined> {
    const raw = await this.redis.hget(this.job(id), 'job');
    return raw === null ? undefined : (JSON.parse(raw) as JobMeta);
  }

  private async view(meta: JobMeta, h: Record<string, string>, now: number): Promise<JobRecord> {
    const items = Number(h.items ?? 0);
    const second = Math.floor(now / 1000);
    const perSecond = await this.redis.hmget(this.rate(meta.id), ...Array.from({ length: 60 }, (_, k) => String(second - k)));
    const recent = perSecond.reduce((n, v) => n + Number(v ?? 0), 0);
    const inProgress = await this.inProgress(meta.id);
    const rows: StateRow[] = [];
    let ended = 0;
    for (const state of DELIVERY_STATES) {
      const n = Number(h[`n:${state}`] ?? 0);
      ended += n;
      if (n > 0 && state !== 'delivered') rows.push({ state, provider: null, n, recent: 0, refused: 0 });
    }
    for (const [field, n] of Object.entries(h)) {
      if (field.startsWith('p:')) rows.push({ state: 'delivered', provider: field.slice(2), n: Number(n), recent: 0, refused: 0 });
    }
    rows.push({ state: 'delivered', provider: null, n: 0, recent, refused: Number(h.refused ?? 0) });
    rows.push({ state: 'in_progress', provider: null, n: inProgress, recent: 0, refused: 0 });
    rows.push({ state: 'pending', provider: null, n: Math.max(0, items - ended - inProgress), recent: 0, refused: 0 });
    const job: JobRecord = {
      id: meta.id,
      capability: meta.capability,
      spread: meta.spread,
      items,
      createdAt: meta.createdAt,
      updatedAt: Number(h.updatedAt ?? meta.createdAt),
      ...jobFigures({ state: h.state as StoredState, createdAt: meta.createdAt }, rows, now),
    };
    if (meta.key !== undefined) job.key = meta.key;
    return job;
  }

  /** Items of the job in a provider call now (BullMQ's active deliveries). */
  private async inProgress(id: string): Promise<number> {
    const active = (await this.o.queue.getActive()) as ({ data?: BullRecord } | undefined)[];
    return active.reduce((n, j) => n + (j?.data?.job?.id === id && j.data.state === 'in_progress' ? j.data.job.items : 0), 0);
  }

  private jobKey(meta: JobMeta): string {
    return this.k(meta.key === undefined ? `jobkey:id:${meta.id}` : `jobkey:k:${meta.key}`);
  }
  private k(name: string): string {
    return `${this.prefix}${name}`;
  }
  private job(id: string): string {
    return this.k(`job:${id}`);
  }
  private itemList(id: string): string {
    return this.k(`job:${id}:items`);
  }
  private endedSet(id: string): string {
    return this.k(`job:${id}:ended`);
  }
  private rate(id: string): string {
    return this.k(`job:${id}:rate`);
  }
}

/** Items a provider refused inside a delivered merged request (the capability's batch says where it counts them). */
function refusedIn(rec: DeliveryRecord): number {
  const path = JOB_BATCHES[rec.capability]?.failedPath;
  if (!path || !rec.job) return 0;
  let v: unknown = rec.result;
  for (const part of path.replace(/^\$\./, '').split('.'))
    v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
  return typeof v === 'number' ? Math.min(rec.job.items, Math.max(0, v)) : 0;
}
