/** The prepared statements of the SQLite store, compiled once per connection. */
import type Database from 'better-sqlite3';

export class SqliteStatements {
  readonly insertCheck: Database.Statement<[string, string, number, number, string]>;
  readonly upsertRec: Database.Statement<[string, string, string, string, number, number | null, string]>;
  readonly getRec: Database.Statement<[string, string, string], { data: string }>;
  readonly putSnapshot: Database.Statement<[string, string, number, string]>;
  readonly allSnapshots: Database.Statement<[], { data: string }>;
  readonly insertEvent: Database.Statement<[number, string, string | null, string]>;
  readonly pruneChecksAge: Database.Statement<[number]>;
  readonly pruneChecksCount: Database.Statement<[number]>;
  readonly pruneEventsAge: Database.Statement<[number]>;
  readonly pruneEventsCount: Database.Statement<[number]>;
  readonly pruneResolvedRecs: Database.Statement<[number]>;
  readonly pruneMailAge: Database.Statement<[number]>;
  readonly pruneMailCount: Database.Statement<[number]>;

  constructor(db: Database.Database) {
    this.insertCheck = db.prepare('INSERT INTO health_checks (provider, capability, at, success, data) VALUES (?, ?, ?, ?, ?)');
    this.upsertRec = db.prepare(
      `INSERT INTO recommendations (provider, capability, issue_key, severity, last_seen, resolved_at, data)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (provider, capability, issue_key) DO UPDATE SET
         severity = excluded.severity, last_seen = excluded.last_seen, resolved_at = excluded.resolved_at, data = excluded.data`,
    );
    this.getRec = db.prepare('SELECT data FROM recommendations WHERE provider = ? AND capability = ? AND issue_key = ?');
    this.putSnapshot = db.prepare(
      `INSERT INTO snapshots (provider, capability, saved_at, data) VALUES (?, ?, ?, ?)
       ON CONFLICT (provider, capability) DO UPDATE SET saved_at = excluded.saved_at, data = excluded.data`,
    );
    this.allSnapshots = db.prepare('SELECT data FROM snapshots ORDER BY capability, provider');
    this.insertEvent = db.prepare('INSERT INTO events (at, type, provider, data) VALUES (?, ?, ?, ?)');
    this.pruneChecksAge = db.prepare('DELETE FROM health_checks WHERE at < ?');
    // Ids grow with insertion: keep the newest N rows.
    this.pruneChecksCount = db.prepare(
      'DELETE FROM health_checks WHERE id <= (SELECT id FROM health_checks ORDER BY id DESC LIMIT 1 OFFSET ?)',
    );
    this.pruneEventsAge = db.prepare('DELETE FROM events WHERE at < ?');
    this.pruneEventsCount = db.prepare('DELETE FROM events WHERE id <= (SELECT id FROM events ORDER BY id DESC LIMIT 1 OFFSET ?)');
    this.pruneResolvedRecs = db.prepare('DELETE FROM recommendations WHERE resolved_at IS NOT NULL AND resolved_at < ?');
    this.pruneMailAge = db.prepare('DELETE FROM sent_mail WHERE sent_at < ?');
    this.pruneMailCount = db.prepare(
      'DELETE FROM sent_mail WHERE rowid IN (SELECT rowid FROM sent_mail ORDER BY sent_at DESC LIMIT -1 OFFSET ?)',
    );
  }
}
