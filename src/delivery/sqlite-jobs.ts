/**
 * Jobs on the SQLite delivery database: the `jobs` table, and the job's items as rows of the
 * outbox table (with job_id, position, items and lane 1). Items are stored while the job is
 * `receiving` with no due time, so the worker cannot lease them before the job is opened; a
 * paused job's waiting items have no due time either.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { inFlight, mismatch } from './delivery-errors.js';
import { JOB_BATCHES } from '../capabilities/job-batches.js';
import {
  jobFigures,
  type StateRow,
  type CreateJobInput,
  type JobControl,
  type JobItemInput,
  type JobItemQuery,
  type JobRecord,
  type JobState,
  type JobStore,
} from './jobs.js';
import type { DeliveryRecord, DeliveryState } from './outbox.js';
import type { SqliteLedger } from './sqlite-ledger.js';
import { toRecord, type OutboxRow } from './sqlite-outbox-rows.js';

interface JobRow {
  id: string;
  key: string | null;
  capability: string;
  state: Exclude<JobState, 'completed'>;
  spread: number;
  items: number;
  created_at: number;
  updated_at: number;
}

export class SqliteJobs implements JobStore {
  private readonly byId: Database.Statement<[string], JobRow>;
  private readonly insertItem: Database.Statement;

  constructor(
    private readonly db: Database.Database,
    private readonly ledger: SqliteLedger,
  ) {
    this.byId = db.prepare('SELECT * FROM jobs WHERE id = ?');
    this.insertItem = db.prepare(
      `INSERT INTO outbox (id, idempotency_key, capability, state, created_at, updated_at, next_at, attempts, request, result, last_error, job_id, position, items, lane)
       VALUES (?, ?, ?, ?, ?, ?, NULL, 0, ?, ?, ?, ?, ?, ?, 1)`,
    );
  }

  async create(i: CreateJobInput): Promise<{ job: JobRecord; created: boolean }> {
    return this.db
      .transaction(() => {
        const existing =
          i.key === undefined ? undefined : (this.db.prepare('SELECT * FROM jobs WHERE key = ?').get(i.key) as JobRow | undefined);
        // Still being received by the first submission: it may yet be refused, so no answer is final.
        if (existing?.state === 'receiving') throw inFlight(i.key!, existing.capability);
        if (existing) return { job: this.view(existing, i.now), created: false };
        this.db
          .prepare(
            "INSERT INTO jobs (id, key, capability, state, spread, items, created_at, updated_at) VALUES (?, ?, ?, 'receiving', ?, 0, ?, ?)",
          )
          .run(i.id, i.key ?? null, i.capability, i.spread ? 1 : 0, i.now, i.now);
        return { job: this.view(this.byId.get(i.id)!, i.now), created: true };
      })
      .immediate();
  }

  async append(jobId: string, items: readonly JobItemInput[], l: { owner: string; ttlMs: number; now: number }): Promise<void> {
    this.db
      .transaction(() => {
        const job = this.byId.get(jobId);
        if (!job || job.state !== 'receiving') throw new Error(`job ${jobId} is not receiving items`);
        let count = 0;
        for (const item of items) {
          this.appendOne(job, item, l);
          count += item.items;
        }
        this.db.prepare('UPDATE jobs SET items = items + ?, updated_at = ? WHERE id = ?').run(count, l.now, jobId);
      })
      .immediate();
  }

  /** A new key is queued with its delivery; a key seen before is a duplicate (same request) or a mismatch. */
  private appendOne(job: JobRow, item: JobItemInput, l: { owner: string; ttlMs: number; now: number }): void {
    const id = `dlv_${randomUUID().replace(/-/g, '')}`;
    const begun = this.ledger.beginQueuedSync(
      {
        key: item.idempotencyKey,
        capability: job.capability,
        fingerprint: item.fingerprint,
        owner: l.owner,
        now: l.now,
        leaseMs: l.ttlMs,
        ttlMs: l.ttlMs,
      },
      id,
    );
    let state: DeliveryState = 'pending';
    let result: string | null = null;
    let lastError: string | null = null;
    if (!begun.acquired) {
      const before = begun.entry;
      if (before.fingerprint === item.fingerprint) {
        state = 'duplicate';
        result = JSON.stringify({ idempotencyKey: before.key, state: before.state, deliveryId: before.deliveryId ?? null });
      } else {
        state = 'failed';
        const e = mismatch(before, job.capability);
        lastError = JSON.stringify({ code: e.code, kind: e.kind, message: e.message });
      }
    }
    const { now } = l;
    this.insertItem.run(
      id,
      item.idempotencyKey,
      job.capability,
      state,
      now,
      now,
      JSON.stringify(item.request ?? null),
      result,
      lastError,
      job.id,
      item.position,
      item.items,
    );
  }

  async open(jobId: string, now: number): Promise<void> {
    this.db
      .transaction(() => {
        this.db.prepare("UPDATE jobs SET state = 'running', updated_at = ? WHERE id = ? AND state = 'receiving'").run(now, jobId);
        this.db.prepare("UPDATE outbox SET next_at = ? WHERE job_id = ? AND state = 'pending'").run(now, jobId);
      })
      .immediate();
  }

  async discard(jobId: string): Promise<void> {
    this.db
      .transaction(() => {
        this.db
          .prepare(
            "DELETE FROM ledger WHERE state = 'queued' AND key IN (SELECT idempotency_key FROM outbox WHERE job_id = ? AND state = 'pending')",
          )
          .run(jobId);
        this.db.prepare('DELETE FROM outbox WHERE job_id = ?').run(jobId);
        this.db.prepare("DELETE FROM jobs WHERE id = ? AND state = 'receiving'").run(jobId);
      })
      .immediate();
  }

  async get(id: string, now: number): Promise<JobRecord | undefined> {
    const row = this.byId.get(id);
    return row ? this.view(row, now) : undefined;
  }

  async list(limit: number, now: number): Promise<JobRecord[]> {
    const rows = this.db.prepare('SELECT * FROM jobs ORDER BY created_at DESC, id LIMIT ?').all(limit) as JobRow[];
    return rows.map((r) => this.view(r, now));
  }

  async control(id: string, action: JobControl, now: number): Promise<JobRecord | undefined> {
    return this.db
      .transaction(() => {
        const row = this.byId.get(id);
        if (!row) return undefined;
        const setState = (state: JobRow['state']): void =>
          void this.db.prepare('UPDATE jobs SET state = ?, updated_at = ? WHERE id = ?').run(state, now, id);
        if (action === 'pause' && row.state === 'running') {
          setState('paused');
          this.db.prepare("UPDATE outbox SET next_at = NULL WHERE job_id = ? AND state = 'pending'").run(id);
        } else if (action === 'resume' && row.state === 'paused') {
          setState('running');
          this.db.prepare("UPDATE outbox SET next_at = ? WHERE job_id = ? AND state = 'pending'").run(now, id);
        } else if (action === 'cancel' && (row.state === 'running' || row.state === 'paused')) {
          setState('cancelled');
          this.db
            .prepare("DELETE FROM ledger WHERE key IN (SELECT idempotency_key FROM outbox WHERE job_id = ? AND state = 'pending')")
            .run(id);
          this.db
            .prepare("UPDATE outbox SET state = 'cancelled', next_at = NULL, updated_at = ? WHERE job_id = ? AND state = 'pending'")
            .run(now, id);
        }
        return this.view(this.byId.get(id)!, now);
      })
      .immediate();
  }

  async items(id: string, q: JobItemQuery): Promise<DeliveryRecord[]> {
    const states = q.states ? 'AND o.state IN (SELECT value FROM json_each(?))' : '';
    const params: unknown[] = [id, q.fromPosition ?? 0];
    if (q.states) params.push(JSON.stringify(q.states));
    params.push(q.limit ?? 1_000);
    const rows = this.db
      .prepare(
        `SELECT o.*, j.spread AS spread FROM outbox o JOIN jobs j ON j.id = o.job_id
         WHERE o.job_id = ? AND o.position >= ? ${states} ORDER BY o.position LIMIT ?`,
      )
      .all(...params) as OutboxRow[];
    return rows.map(toRecord);
  }

  private view(row: JobRow, now: number): JobRecord {
    const refusedPath = JOB_BATCHES[row.capability]?.failedPath ?? '$.none';
    const rows = this.db
      .prepare(
        `SELECT state, provider, SUM(items) AS n, SUM(CASE WHEN state = 'delivered' AND updated_at > ? THEN items ELSE 0 END) AS recent,
           SUM(CASE WHEN state = 'delivered' THEN MIN(items, COALESCE(json_extract(result, ?), 0)) ELSE 0 END) AS refused
         FROM outbox WHERE job_id = ? GROUP BY state, provider`,
      )
      .all(now - 60_000, refusedPath, row.id) as StateRow[];
    const job: JobRecord = {
      id: row.id,
      capability: row.capability,
      spread: row.spread === 1,
      items: row.items,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      ...jobFigures({ state: row.state, createdAt: row.created_at }, rows, now),
    };
    if (row.key !== null) job.key = row.key;
    return job;
  }
}
