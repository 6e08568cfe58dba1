/**
 * The outbox on the SQLite delivery database (WAL, synchronous=FULL). Enqueues, leases, call marks and
 * outcomes are group committed: a batch of concurrent ones costs one transaction and one fsync,
 * and each caller is answered only after its batch is on disk. The ledger row of the key is updated in
 * the same transaction as the outbox row.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { GroupCommit } from './group-commit.js';
import {
  FINISHED_STATES,
  emptyCounts,
  newDeliveryRecord,
  type DeliveryOutcome,
  type DeliveryQuery,
  type DeliveryRecord,
  type DeliveryState,
  type EnqueueInput,
  type LeasableOutbox,
  type LeasedDelivery,
  type PurgeQuery,
} from './outbox.js';
import type { SqliteLedger } from './sqlite-ledger.js';
import { toRecord, type OutboxRow } from './sqlite-outbox-rows.js';
import { whereClause } from '../store/sqlite/where.js';

interface Lease {
  owner: string;
  now: number;
  leaseMs: number;
  capabilities: readonly string[];
}

interface Finish {
  id: string;
  owner: string;
  outcome: DeliveryOutcome;
  now: number;
}

/** A row with its job's spread flag (null for ordinary deliveries). */
const SELECT_ROW = 'SELECT o.*, j.spread AS spread FROM outbox o LEFT JOIN jobs j ON j.id = o.job_id';

/** Which of two due rows to lease first: expired leases, then ordinary deliveries, then job items; oldest first. */
function leaseOrder(r: OutboxRow): number {
  if (r.state === 'in_progress') return -Infinity;
  return r.lane * 1e15 + (r.next_at ?? 0);
}

export class SqliteOutbox implements LeasableOutbox {
  readonly kind = 'sqlite';
  readonly marksLedger = true;
  private readonly commits: GroupCommit<EnqueueInput, DeliveryRecord>;
  private readonly finishes: GroupCommit<Finish, boolean>;
  private readonly leases: GroupCommit<Lease, LeasedDelivery | undefined>;
  private readonly callings: GroupCommit<{ id: string; owner: string }, boolean>;
  private readonly insert: Database.Statement;
  private readonly byId: Database.Statement<[string], OutboxRow>;
  private readonly update: Database.Statement;
  private readonly expiredLease: Database.Statement<[string, number], OutboxRow>;
  private readonly due: Database.Statement<[string, number], OutboxRow>;
  private readonly take: Database.Statement<[string, number, number, number, string]>;
  private readonly calling: Database.Statement<[string, string]>;

  constructor(
    private readonly db: Database.Database,
    private readonly ledger: SqliteLedger,
    private readonly ownsDb = false,
  ) {
    this.insert = db.prepare(
      `INSERT INTO outbox (id, idempotency_key, capability, state, created_at, updated_at, next_at, attempts, request, last_error)
       VALUES (?, ?, ?, 'pending', ?, ?, ?, 0, ?, ?)`,
    );
    this.byId = db.prepare(`${SELECT_ROW} WHERE o.id = ?`);
    this.update = db.prepare(
      `UPDATE outbox SET state = ?, next_at = ?, result = COALESCE(?, result), provider = COALESCE(?, provider),
         last_error = COALESCE(?, last_error), owner = NULL, lease_until = NULL, calling = 0, updated_at = ? WHERE id = ?`,
    );
    this.expiredLease = db.prepare(`${SELECT_ROW} WHERE o.capability = ? AND o.state = 'in_progress' AND o.lease_until <= ? LIMIT 1`);
    // INDEXED BY: left to itself the planner takes outbox_due and sorts every pending row of the
    // capability for each lease (a 10,000-item job made each lease cost milliseconds).
    this.due = db.prepare(
      `SELECT o.*, j.spread AS spread FROM outbox o INDEXED BY outbox_lane LEFT JOIN jobs j ON j.id = o.job_id
       WHERE o.capability = ? AND o.state = 'pending' AND o.next_at <= ? ORDER BY o.lane, o.next_at LIMIT 1`,
    );
    // A job item's age (outbox.maxAgeHours) counts from its first attempt, not from its job's
    // submission: a large job at a provider's pace, or one paused overnight, does not age out unsent.
    this.take = db.prepare(
      `UPDATE outbox SET state = 'in_progress', owner = ?, lease_until = ?, attempts = attempts + 1, calling = 0, updated_at = ?,
         created_at = CASE WHEN job_id IS NOT NULL AND attempts = 0 THEN ? ELSE created_at END WHERE id = ?`,
    );
    this.calling = db.prepare("UPDATE outbox SET calling = 1 WHERE id = ? AND owner = ? AND state = 'in_progress'");
    const insertMany = db.transaction((items: readonly EnqueueInput[]) => items.map((i) => this.insertOne(i)));
    this.commits = new GroupCommit((items) => insertMany(items));
    // The worker's writes are group committed too: the outcomes (and call marks) of the
    // deliveries that end in one turn of the event loop cost one transaction and one fsync, each
    // answered after its commit.
    const finishMany = db.transaction((items: readonly Finish[]) => items.map((f) => this.finishOne(f)));
    this.finishes = new GroupCommit((items) => finishMany.immediate(items));
    const markMany = db.transaction((items: readonly { id: string; owner: string }[]) =>
      items.map((m) => this.calling.run(m.id, m.owner).changes === 1),
    );
    this.callings = new GroupCommit((items) => markMany.immediate(items));
    const leaseMany = db.transaction((items: readonly Lease[]) => items.map((l) => this.leaseOne(l)));
    this.leases = new GroupCommit((items) => leaseMany.immediate(items));
  }

  enqueue(input: EnqueueInput): Promise<DeliveryRecord> {
    return this.commits.submit(input);
  }

  async get(id: string): Promise<DeliveryRecord | undefined> {
    const row = this.byId.get(id);
    return row ? toRecord(row) : undefined;
  }

  async findByKey(key: string): Promise<DeliveryRecord | undefined> {
    const row = this.db.prepare(`${SELECT_ROW} WHERE o.idempotency_key = ? ORDER BY o.created_at DESC LIMIT 1`).get(key) as
      OutboxRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  async list(q: DeliveryQuery = {}): Promise<DeliveryRecord[]> {
    const { where, params } = whereClause([
      ['o.state = ?', q.state || undefined],
      ['o.capability = ?', q.capability || undefined],
    ]);
    const rows = this.db
      .prepare(`${SELECT_ROW} ${where} ORDER BY o.created_at DESC, o.id LIMIT ?`)
      .all(...params, q.limit ?? 100) as OutboxRow[];
    return rows.map(toRecord);
  }

  async counts(): Promise<Record<DeliveryState, number>> {
    const out = emptyCounts();
    for (const r of this.db.prepare('SELECT state, COUNT(*) AS n FROM outbox GROUP BY state').all() as {
      state: DeliveryState;
      n: number;
    }[])
      out[r.state] = r.n;
    return out;
  }

  async backlog(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    const rows = this.db
      .prepare("SELECT capability, COUNT(*) AS n FROM outbox WHERE state IN ('pending', 'in_progress') GROUP BY capability")
      .all() as { capability: string; n: number }[];
    for (const r of rows) out[r.capability] = r.n;
    return out;
  }

  async retry(id: string, now: number): Promise<DeliveryRecord | undefined> {
    return this.db
      .transaction(() => {
        const row = this.byId.get(id);
        if (!row || row.state === 'delivered' || row.state === 'in_progress') return row ? toRecord(row) : undefined;
        this.db
          .prepare(
            "UPDATE outbox SET state = 'pending', next_at = ?, created_at = ?, attempts = 0, owner = NULL, lease_until = NULL, calling = 0, updated_at = ? WHERE id = ?",
          )
          .run(now, now, now, id);
        this.ledger.settleSync(row.idempotency_key, { state: 'queued', deliveryId: id }, now);
        return toRecord(this.byId.get(id)!);
      })
      .immediate();
  }

  async resolve(id: string, delivered: boolean, now: number): Promise<DeliveryRecord | undefined> {
    if (!delivered) return this.retry(id, now);
    return this.db
      .transaction(() => {
        const row = this.byId.get(id);
        if (!row || row.state === 'in_progress' || row.state === 'pending') return row ? toRecord(row) : undefined;
        this.update.run('delivered', null, null, null, null, now, id);
        this.ledger.settleSync(row.idempotency_key, { state: 'succeeded', result: null, resolvedBy: 'operator', deliveryId: id }, now);
        return toRecord(this.byId.get(id)!);
      })
      .immediate();
  }

  async purge(q: PurgeQuery): Promise<number> {
    const { where, params } = whereClause([
      ['state IN (SELECT value FROM json_each(?))', JSON.stringify(q.states ?? FINISHED_STATES)],
      ['id = ?', q.id],
      ['updated_at < ?', q.olderThan],
    ]);
    return this.db
      .transaction(() => {
        this.db
          .prepare(`DELETE FROM ledger WHERE state = 'queued' AND key IN (SELECT idempotency_key FROM outbox ${where})`)
          .run(...params);
        return this.db.prepare(`DELETE FROM outbox ${where}`).run(...params).changes;
      })
      .immediate();
  }

  /**
   * The due delivery to lease next, per capability: an expired lease first (its worker died),
   * then pending ones, ordinary deliveries before job items (lane 0 before 1), oldest due first.
   */
  lease(owner: string, now: number, leaseMs: number, capabilities: readonly string[]): Promise<LeasedDelivery | undefined> {
    return this.leases.submit({ owner, now, leaseMs, capabilities });
  }

  /** One lease, inside the transaction of its group: the rows leased before it in the group are no longer due. */
  private leaseOne({ owner, now, leaseMs, capabilities }: Lease): LeasedDelivery | undefined {
    let row: OutboxRow | undefined;
    for (const capability of capabilities) {
      const found = this.expiredLease.get(capability, now) ?? this.due.get(capability, now);
      if (found && (!row || leaseOrder(found) < leaseOrder(row))) row = found;
    }
    if (!row) return undefined;
    this.take.run(owner, now + leaseMs, now, now, row.id);
    const takenOver = row.state === 'in_progress';
    return { record: toRecord(this.byId.get(row.id)!), takenOver, wasCalling: takenOver && row.calling === 1 };
  }

  markCalling(id: string, owner: string): Promise<boolean> {
    return this.callings.submit({ id, owner });
  }

  finish(id: string, owner: string, outcome: DeliveryOutcome, now: number): Promise<boolean> {
    return this.finishes.submit({ id, owner, outcome, now });
  }

  /** One outcome, inside the transaction of its group (see the constructor). */
  private finishOne({ id, owner, outcome, now }: Finish): boolean {
    const row = this.byId.get(id);
    if (!row) return false;
    const holds = row.state === 'in_progress' && row.owner === owner;
    if (!holds && !(row.state === 'unknown_outcome' && outcome.state === 'delivered')) return false;
    const key = row.idempotency_key;
    if (outcome.state === 'delivered') {
      this.update.run('delivered', null, JSON.stringify(outcome.result ?? null), outcome.provider, null, now, id);
      this.ledger.settleSync(key, { state: 'succeeded', result: outcome.result, provider: outcome.provider, deliveryId: id }, now);
      return true;
    }
    const error = JSON.stringify(outcome.error);
    this.update.run(outcome.state, outcome.state === 'pending' ? outcome.nextAttemptAt : null, null, null, error, now, id);
    if (outcome.state === 'pending' && row.job_id !== null) this.holdForJob(id, key, row.job_id, now);
    if (outcome.state === 'failed' || outcome.state === 'unknown_outcome') {
      this.ledger.settleSync(key, { state: outcome.state, error: { name: 'GatewayError', ...outcome.error }, deliveryId: id }, now);
    }
    return true;
  }

  /** A job item to be retried: it waits while its job is paused, and ends as cancelled when its job was. */
  private holdForJob(id: string, key: string, jobId: string, now: number): void {
    const job = this.db.prepare('SELECT state FROM jobs WHERE id = ?').get(jobId) as { state: string } | undefined;
    if (job?.state === 'paused') this.db.prepare('UPDATE outbox SET next_at = NULL WHERE id = ?').run(id);
    if (job?.state === 'cancelled') {
      this.db.prepare("UPDATE outbox SET state = 'cancelled', next_at = NULL, updated_at = ? WHERE id = ?").run(now, id);
      this.ledger.releaseSync(key);
    }
  }

  async nextDue(capabilities: readonly string[]): Promise<number | null> {
    const row = this.db
      .prepare(
        `SELECT MIN(CASE WHEN state = 'pending' THEN next_at ELSE lease_until END) AS t FROM outbox
         WHERE capability IN (SELECT value FROM json_each(?)) AND state IN ('pending', 'in_progress')`,
      )
      .get(JSON.stringify(capabilities)) as { t: number | null };
    return row.t;
  }

  async expire(cutoff: number, now: number): Promise<DeliveryRecord[]> {
    return this.db
      .transaction(() => {
        const rows = this.db
          .prepare("SELECT * FROM outbox WHERE state = 'pending' AND created_at < ? AND NOT (job_id IS NOT NULL AND attempts = 0)")
          .all(cutoff) as OutboxRow[];
        const mark = this.db.prepare("UPDATE outbox SET state = 'dead', next_at = NULL, updated_at = ? WHERE id = ?");
        for (const r of rows) mark.run(now, r.id);
        return rows.map((r) => ({ ...toRecord(r), state: 'dead' as const, nextAttemptAt: null, updatedAt: now }));
      })
      .immediate();
  }

  async close(): Promise<void> {
    this.commits.flush();
    this.leases.flush();
    this.callings.flush();
    this.finishes.flush();
    if (this.ownsDb && this.db.open) this.db.close();
  }

  private insertOne(i: EnqueueInput): DeliveryRecord {
    const id = `dlv_${randomUUID().replace(/-/g, '')}`;
    this.insert.run(
      id,
      i.idempotencyKey,
      i.capability,
      i.now,
      i.now,
      i.now,
      JSON.stringify(i.request ?? null),
      i.lastError ? JSON.stringify(i.lastError) : null,
    );
    this.ledger.settleSync(i.idempotencyKey, { state: 'queued', deliveryId: id }, i.now);
    return newDeliveryRecord(id, i);
  }
}
