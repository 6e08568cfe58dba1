/** The ledger on the SQLite delivery database; `begin` is one IMMEDIATE transaction. */
import type Database from 'better-sqlite3';
import {
  applyUpdate,
  effective,
  newEntry,
  updateEntry,
  type BeginInput,
  type BeginResult,
  type IdempotencyLedger,
  type LedgerEntry,
  type LedgerQuery,
  type LedgerUpdate,
} from './ledger.js';

export class SqliteLedger implements IdempotencyLedger {
  readonly kind = 'sqlite';
  private readonly getStmt: Database.Statement<[string], { data: string }>;
  private readonly putStmt: Database.Statement<[string, string, string, number, number, number, string]>;
  private readonly delStmt: Database.Statement<[string]>;
  private readonly beginTx: (input: BeginInput) => BeginResult;

  constructor(
    private readonly db: Database.Database,
    private readonly ownsDb = false,
  ) {
    this.getStmt = db.prepare('SELECT data FROM ledger WHERE key = ?');
    this.putStmt = db.prepare(
      `INSERT INTO ledger (key, state, owner, lease_until, created_at, expires_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET state = excluded.state, owner = excluded.owner, lease_until = excluded.lease_until,
         created_at = excluded.created_at, expires_at = excluded.expires_at, data = excluded.data`,
    );
    this.delStmt = db.prepare('DELETE FROM ledger WHERE key = ?');
    const tx = db.transaction((input: BeginInput): BeginResult => this.beginSync(input));
    this.beginTx = (input) => tx.immediate(input);
  }

  /** `begin` inside a transaction. */
  beginSync(input: BeginInput): BeginResult {
    const found = this.read(input.key, input.now);
    if (found) return { acquired: false, entry: found };
    const entry = newEntry(input);
    this.write(entry);
    return { acquired: true, entry };
  }

  /** `beginSync` for a key queued with its delivery at once (a job's item): one write, not a begin and a settle. */
  beginQueuedSync(input: BeginInput, deliveryId: string): BeginResult {
    const found = this.read(input.key, input.now);
    if (found) return { acquired: false, entry: found };
    const entry = updateEntry(newEntry(input), { state: 'queued', deliveryId }, input.now);
    this.write(entry);
    return { acquired: true, entry };
  }

  async begin(input: BeginInput): Promise<BeginResult> {
    return this.beginTx(input);
  }

  async settle(key: string, update: LedgerUpdate, now: number, owner?: string): Promise<boolean> {
    return this.db.transaction(() => this.settleSync(key, update, now, owner)).immediate();
  }

  /** For the outbox, inside its own transaction. */
  settleSync(key: string, update: LedgerUpdate, now: number, owner?: string): boolean {
    const row = this.getStmt.get(key);
    if (!row) return false;
    const e = JSON.parse(row.data) as LedgerEntry;
    if (owner !== undefined && (e.owner !== owner || e.state !== 'in_flight')) return false;
    this.write(applyUpdate(e, update, now));
    return true;
  }

  async release(key: string, owner?: string): Promise<void> {
    this.releaseSync(key, owner);
  }

  releaseSync(key: string, owner?: string): void {
    if (owner === undefined) {
      this.delStmt.run(key);
      return;
    }
    this.db.prepare("DELETE FROM ledger WHERE key = ? AND owner = ? AND state = 'in_flight'").run(key, owner);
  }

  async get(key: string, now: number): Promise<LedgerEntry | undefined> {
    return this.read(key, now);
  }

  async list(query: LedgerQuery, now: number): Promise<LedgerEntry[]> {
    const limit = Math.max(0, Math.floor(query.limit ?? 100));
    const rows = (
      query.state === undefined
        ? this.db.prepare('SELECT data FROM ledger WHERE expires_at > ? ORDER BY created_at DESC LIMIT ?').all(now, limit * 2 + 10)
        : this.db
            .prepare(
              `SELECT data FROM ledger WHERE expires_at > ? AND (state = ? OR (? = 'unknown_outcome' AND state = 'in_flight' AND lease_until <= ?)) ORDER BY created_at DESC LIMIT ?`,
            )
            .all(now, query.state, query.state, now, limit * 2 + 10)
    ) as { data: string }[];
    return rows
      .map((r) => effective(JSON.parse(r.data) as LedgerEntry, now))
      .filter((e) => query.state === undefined || e.state === query.state)
      .slice(0, limit);
  }

  async prune(now: number): Promise<number> {
    return this.db.prepare('DELETE FROM ledger WHERE expires_at <= ?').run(now).changes;
  }

  async close(): Promise<void> {
    if (this.ownsDb && this.db.open) this.db.close();
  }

  private read(key: string, now: number): LedgerEntry | undefined {
    const row = this.getStmt.get(key);
    if (!row) return undefined;
    const e = JSON.parse(row.data) as LedgerEntry;
    if (e.expiresAt <= now) {
      this.delStmt.run(key);
      return undefined;
    }
    const eff = effective(e, now);
    if (eff !== e) this.write(eff);
    return eff;
  }

  private write(e: LedgerEntry): void {
    this.putStmt.run(e.key, e.state, e.owner, e.leaseUntil, e.createdAt, e.expiresAt, JSON.stringify(e));
  }
}
