/**
 * The SQLite delivery database: the idempotency ledger and the outbox, in their own file next
 * to the store (`data/gateway.db` -> `data/gateway.delivery.db`), WAL journal with
 * `synchronous=FULL`: an outbox commit is on disk (fsync) before the caller is answered. The
 * ledger's own commits relax that to NORMAL unless `delivery.ledgerSync` is `full`
 * (./sqlite-ledger.ts, docs/delivery.md).
 */
import Database from 'better-sqlite3';
import { preparePrivateDbFile } from '../store/sqlite/private-file.js';

const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE ledger (
    key TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    owner TEXT NOT NULL,
    lease_until INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    data TEXT NOT NULL
  );
  CREATE INDEX ledger_expires ON ledger (expires_at);
  CREATE INDEX ledger_state ON ledger (state, created_at);

  CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL,
    capability TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    next_at INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    owner TEXT,
    lease_until INTEGER,
    calling INTEGER NOT NULL DEFAULT 0,
    request TEXT NOT NULL,
    result TEXT,
    provider TEXT,
    last_error TEXT
  );
  CREATE INDEX outbox_due ON outbox (state, next_at);
  CREATE INDEX outbox_key ON outbox (idempotency_key);
  CREATE INDEX outbox_created ON outbox (created_at);
  `,
  // Jobs (./jobs.ts): a job's items are outbox rows with the job's id, their position and how
  // many items each carries; `lane` 0 (ordinary deliveries) is leased before 1 (job items).
  `
  CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    key TEXT UNIQUE,
    capability TEXT NOT NULL,
    state TEXT NOT NULL,
    spread INTEGER NOT NULL,
    items INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  ALTER TABLE outbox ADD COLUMN job_id TEXT;
  ALTER TABLE outbox ADD COLUMN position INTEGER;
  ALTER TABLE outbox ADD COLUMN items INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE outbox ADD COLUMN lane INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX outbox_job ON outbox (job_id, position) WHERE job_id IS NOT NULL;
  CREATE INDEX outbox_lane ON outbox (capability, state, lane, next_at);
  `,
  // Every request writes the ledger twice (begin, settle): an index that only listings by state
  // used cost a page in each of those commits. Listing by state (tests, operators) scans instead.
  `
  DROP INDEX ledger_state;
  `,
];

/** The delivery database file that belongs to a `sqlite:<path>` store. */
export function deliveryDbPath(storePath: string): string {
  if (storePath === ':memory:') return ':memory:';
  return storePath.endsWith('.db') ? `${storePath.slice(0, -3)}.delivery.db` : `${storePath}.delivery.db`;
}

export function openDeliveryDb(path: string, busyTimeoutMs = 5_000): Database.Database {
  preparePrivateDbFile(path);
  const db = new Database(path);
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.transaction(() => {
      const current = db.pragma('user_version', { simple: true }) as number;
      if (current > MIGRATIONS.length) throw new Error(`delivery database schema ${current} is newer than this gateway supports`);
      for (let v = current; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]!);
      if (current !== MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
    }).immediate();
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
