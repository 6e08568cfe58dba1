/**
 * SQLite schema migrations, versioned in code. `PRAGMA user_version` holds the number of
 * migrations applied; each runs once, in order, inside a transaction.
 */
import type Database from 'better-sqlite3';

export const MIGRATIONS: readonly string[] = [
  // 1: history, recommendations, snapshots, events, provider state, sent mail
  `
  CREATE TABLE health_checks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider TEXT NOT NULL,
    capability TEXT NOT NULL,
    at INTEGER NOT NULL,
    success INTEGER NOT NULL,
    data TEXT NOT NULL
  );
  CREATE INDEX health_checks_at ON health_checks (at);
  CREATE INDEX health_checks_provider ON health_checks (provider, at);
  CREATE INDEX health_checks_capability ON health_checks (capability, at);

  CREATE TABLE recommendations (
    provider TEXT NOT NULL,
    capability TEXT NOT NULL,
    issue_key TEXT NOT NULL,
    severity TEXT NOT NULL,
    last_seen INTEGER NOT NULL,
    resolved_at INTEGER,
    data TEXT NOT NULL,
    PRIMARY KEY (provider, capability, issue_key)
  );

  CREATE TABLE snapshots (
    provider TEXT NOT NULL,
    capability TEXT NOT NULL,
    saved_at INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (provider, capability)
  );

  CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    type TEXT NOT NULL,
    provider TEXT,
    data TEXT NOT NULL
  );
  CREATE INDEX events_at ON events (at);

  CREATE TABLE provider_state (
    provider TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (provider, key)
  );

  CREATE TABLE sent_mail (
    message_id TEXT PRIMARY KEY,
    subject_norm TEXT,
    sent_at INTEGER NOT NULL,
    data TEXT NOT NULL
  );
  CREATE INDEX sent_mail_subject ON sent_mail (subject_norm, sent_at);
  CREATE INDEX sent_mail_sent_at ON sent_mail (sent_at);
  `,
  // 2: deliverability: the suppression list, soft bounces, mail events and their hourly counts
  `
  CREATE TABLE suppressions (
    address TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    source TEXT NOT NULL,
    at INTEGER NOT NULL,
    detail TEXT
  );
  CREATE INDEX suppressions_reason ON suppressions (reason, address);

  CREATE TABLE soft_bounces (
    address TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE INDEX soft_bounces_address ON soft_bounces (address, at);

  CREATE TABLE mail_events (
    provider TEXT NOT NULL,
    event_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    gateway_key TEXT,
    message_id TEXT,
    data TEXT NOT NULL,
    PRIMARY KEY (provider, event_id)
  );
  CREATE INDEX mail_events_key ON mail_events (gateway_key) WHERE gateway_key IS NOT NULL;
  CREATE INDEX mail_events_message ON mail_events (message_id) WHERE message_id IS NOT NULL;
  CREATE INDEX mail_events_received ON mail_events (received_at);

  CREATE TABLE mail_stats (
    provider TEXT NOT NULL,
    hour INTEGER NOT NULL,
    type TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (provider, hour, type)
  );
  `,
];

/**
 * Applies pending migrations; refuses a database written by a newer version. The version is
 * re-read inside an IMMEDIATE transaction, so two processes opening a new file at once are safe.
 */
export function migrate(db: Database.Database): number {
  db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > MIGRATIONS.length) {
      throw new Error(`database schema version ${current} is newer than this gateway supports (${MIGRATIONS.length})`);
    }
    for (let v = current; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]!);
    if (current !== MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
  return MIGRATIONS.length;
}
