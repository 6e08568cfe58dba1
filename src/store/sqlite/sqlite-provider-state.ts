/** ProviderState on the SQLite `provider_state` table: values stored as JSON. */
import type Database from 'better-sqlite3';
import type { Clock } from '../../core/clock.js';
import type { ProviderState } from '../provider-data.js';

export class SqliteProviderState implements ProviderState {
  private readonly getStmt: Database.Statement<[string, string], { value: string }>;
  private readonly setStmt: Database.Statement<[string, string, string, number]>;
  private readonly delStmt: Database.Statement<[string, string]>;

  constructor(
    db: Database.Database,
    private readonly provider: string,
    private readonly clock: Clock,
  ) {
    this.getStmt = db.prepare('SELECT value FROM provider_state WHERE provider = ? AND key = ?');
    this.setStmt = db.prepare(
      `INSERT INTO provider_state (provider, key, value, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (provider, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
    this.delStmt = db.prepare('DELETE FROM provider_state WHERE provider = ? AND key = ?');
  }

  async get<T = unknown>(key: string): Promise<T | undefined> {
    const row = this.getStmt.get(this.provider, key);
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  async set(key: string, value: unknown): Promise<void> {
    this.setStmt.run(this.provider, key, JSON.stringify(value ?? null), this.clock.now());
  }

  async delete(key: string): Promise<void> {
    this.delStmt.run(this.provider, key);
  }
}
