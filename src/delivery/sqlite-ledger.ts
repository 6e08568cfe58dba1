/**
 * The ledger on the SQLite delivery database. `begin`, `settle` and `release` are group
 * committed: the ones asked for in the same turn of the event loop run in order in one IMMEDIATE
 * transaction, and each caller is answered after that commit. Those commits are made with
 * `synchronous=NORMAL` unless `delivery.ledgerSync` is `full` (docs/delivery.md): in WAL mode
 * they reach the operating system, not the disk, so a process crash loses none of them, and the
 * next fsync of the file (the outbox's next commit, a checkpoint) takes them to the disk.
 * The outbox's own transactions call the `…Sync` methods inside them.
 */
import type Database from 'better-sqlite3';
import { GroupCommit } from './group-commit.js';
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

/** How the ledger's own commits reach the disk (`delivery.ledgerSync`). */
export type LedgerSync = 'normal' | 'full';

/** What one write of a group commit came to: its value, or what it threw (the others still commit). */
type Outcome = { value: unknown } | { error: unknown };

export class SqliteLedger implements IdempotencyLedger {
  readonly kind = 'sqlite';
  private readonly getStmt: Database.Statement<[string], { data: string }>;
  private readonly putStmt: Database.Statement<[string, string, string, number, number, number, string]>;
  private readonly delStmt: Database.Statement<[string]>;
  private readonly updateStmt: Database.Statement<[string, string, number, string, string]>;
  private readonly writes: GroupCommit<() => unknown, Outcome>;
  private readonly ownsDb: boolean;

  constructor(
    private readonly db: Database.Database,
    options: { sync?: LedgerSync; ownsDb?: boolean } = {},
  ) {
    this.ownsDb = options.ownsDb ?? false;
    this.getStmt = db.prepare('SELECT data FROM ledger WHERE key = ?');
    this.putStmt = db.prepare(
      `INSERT INTO ledger (key, state, owner, lease_until, created_at, expires_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET state = excluded.state, owner = excluded.owner, lease_until = excluded.lease_until,
         created_at = excluded.created_at, expires_at = excluded.expires_at, data = excluded.data`,
    );
    this.delStmt = db.prepare('DELETE FROM ledger WHERE key = ?');
    // A settled or lapsed entry keeps its key and times: only what changes is written (fewer index pages per commit).
    this.updateStmt = db.prepare('UPDATE ledger SET state = ?, owner = ?, lease_until = ?, data = ? WHERE key = ?');
    const batch = db.transaction((ops: readonly (() => unknown)[]): Outcome[] => ops.map(runOne));
    if (options.sync === 'full') {
      this.writes = new GroupCommit((ops) => batch.immediate(ops));
    } else {
      // The connection stays at the outbox's synchronous=FULL between the ledger's commits.
      const relaxed = db.prepare('PRAGMA synchronous = NORMAL');
      const strict = db.prepare('PRAGMA synchronous = FULL');
      this.writes = new GroupCommit((ops) => {
        relaxed.run();
        try {
          return batch.immediate(ops);
        } finally {
          strict.run();
        }
      });
    }
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

  begin(input: BeginInput): Promise<BeginResult> {
    return this.grouped(() => this.beginSync(input));
  }

  settle(key: string, update: LedgerUpdate, now: number, owner?: string): Promise<boolean> {
    return this.grouped(() => this.settleSync(key, update, now, owner));
  }

  /** For the outbox, inside its own transaction. */
  settleSync(key: string, update: LedgerUpdate, now: number, owner?: string): boolean {
    const row = this.getStmt.get(key);
    if (!row) return false;
    const e = JSON.parse(row.data) as LedgerEntry;
    if (owner !== undefined && (e.owner !== owner || e.state !== 'in_flight')) return false;
    this.rewrite(applyUpdate(e, update, now));
    return true;
  }

  release(key: string, owner?: string): Promise<void> {
    return this.grouped(() => this.releaseSync(key, owner));
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

  /** Runs `op` in the next group commit; resolves after that commit with what it returned. */
  private async grouped<T>(op: () => T): Promise<T> {
    const outcome = await this.writes.submit(op);
    if ('error' in outcome) throw outcome.error;
    return outcome.value as T;
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
    if (eff !== e) this.rewrite(eff);
    return eff;
  }

  private write(e: LedgerEntry): void {
    this.putStmt.run(e.key, e.state, e.owner, e.leaseUntil, e.createdAt, e.expiresAt, JSON.stringify(e));
  }

  /** Writes a stored entry's new state; its key, creation and expiry stay as they are. */
  private rewrite(e: LedgerEntry): void {
    this.updateStmt.run(e.state, e.owner, e.leaseUntil, JSON.stringify(e), e.key);
  }
}

function runOne(op: () => unknown): Outcome {
  try {
    return { value: op() };
  } catch (error) {
    return { error };
  }
}
