/** SentMailLog on the SQLite `sent_mail` table, keyed by the normalised Message-ID. */
import type Database from 'better-sqlite3';
import { normaliseMessageId, normaliseSubject } from '../provider-data.js';
import type { SentMailLog, SentMailRecord } from '../provider-data.js';

export class SqliteSentMailLog implements SentMailLog {
  private readonly put: Database.Statement<[string, string | null, number, string]>;
  private readonly byId: Database.Statement<[string], { data: string }>;
  private readonly bySubject: Database.Statement<[string], { data: string }>;

  constructor(
    db: Database.Database,
    private readonly onWrite: () => void,
  ) {
    this.put = db.prepare(
      `INSERT INTO sent_mail (message_id, subject_norm, sent_at, data) VALUES (?, ?, ?, ?)
       ON CONFLICT (message_id) DO UPDATE SET subject_norm = excluded.subject_norm, sent_at = excluded.sent_at, data = excluded.data`,
    );
    this.byId = db.prepare('SELECT data FROM sent_mail WHERE message_id = ?');
    this.bySubject = db.prepare('SELECT data FROM sent_mail WHERE subject_norm = ? ORDER BY sent_at DESC LIMIT 1');
  }

  async record(entry: SentMailRecord): Promise<void> {
    const id = normaliseMessageId(entry.messageId);
    const subject = entry.subject !== undefined ? normaliseSubject(entry.subject) || null : null;
    this.put.run(id, subject, entry.sentAt, JSON.stringify({ ...entry, messageId: id }));
    this.onWrite();
  }

  async findAny(messageIds: readonly string[]): Promise<SentMailRecord | undefined> {
    for (const raw of messageIds) {
      const row = this.byId.get(normaliseMessageId(raw));
      if (row) return JSON.parse(row.data) as SentMailRecord;
    }
    return undefined;
  }

  async findBySubject(subject: string): Promise<SentMailRecord | undefined> {
    const wanted = normaliseSubject(subject);
    if (!wanted) return undefined;
    const row = this.bySubject.get(wanted);
    return row ? (JSON.parse(row.data) as SentMailRecord) : undefined;
  }
}
