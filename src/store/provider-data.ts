/**
 * What adapters keep between calls, through the store: a small key-value state per provider
 * and the log of sent mail (to link replies to sends), with their in-process implementations
 * for tests and for a gateway without a store. The SQLite and Redis stores implement the same
 * interfaces.
 */
export interface ProviderState {
  get<T = unknown>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
}

export interface SentMailRecord {
  messageId: string;
  subject?: string;
  to?: string[];
  provider: string;
  sentAt: number;
}

/** The Message-IDs this gateway sent, so reply fetching can link replies to them. Shared by all providers. */
export interface SentMailLog {
  record(entry: SentMailRecord): Promise<void>;
  /** The first of the given Message-IDs (normalised `<…>`) that this gateway sent. */
  findAny(messageIds: readonly string[]): Promise<SentMailRecord | undefined>;
  /** Fallback only: the most recent sent message whose subject matches (after stripping Re:/Fwd:). */
  findBySubject(subject: string): Promise<SentMailRecord | undefined>;
}

/** In-process provider state: for tests and when no store is configured. */
export class MemoryProviderState implements ProviderState {
  private readonly map = new Map<string, unknown>();

  async get<T = unknown>(key: string): Promise<T | undefined> {
    return structuredClone(this.map.get(key)) as T | undefined;
  }

  async set(key: string, value: unknown): Promise<void> {
    this.map.set(key, structuredClone(value));
  }

  async delete(key: string): Promise<void> {
    this.map.delete(key);
  }
}

export function normaliseMessageId(id: string): string {
  const trimmed = id.trim();
  return trimmed.startsWith('<') ? trimmed : `<${trimmed}>`;
}

export function normaliseSubject(subject: string): string {
  return subject
    .replace(/^\s*((re|fwd?|aw|wg|sv|tr)\s*(\[\d+\])?\s*:\s*)+/i, '')
    .trim()
    .toLowerCase();
}

/** In-process sent-mail log, bounded to the most recent entries. */
export class MemorySentMailLog implements SentMailLog {
  private readonly byId = new Map<string, SentMailRecord>();

  constructor(private readonly max = 100_000) {}

  async record(entry: SentMailRecord): Promise<void> {
    const id = normaliseMessageId(entry.messageId);
    this.byId.delete(id);
    this.byId.set(id, { ...entry, messageId: id });
    if (this.byId.size > this.max) this.byId.delete(this.byId.keys().next().value!);
  }

  async findAny(messageIds: readonly string[]): Promise<SentMailRecord | undefined> {
    for (const id of messageIds) {
      const hit = this.byId.get(normaliseMessageId(id));
      if (hit) return hit;
    }
    return undefined;
  }

  async findBySubject(subject: string): Promise<SentMailRecord | undefined> {
    const wanted = normaliseSubject(subject);
    if (!wanted) return undefined;
    const all = [...this.byId.values()];
    for (let i = all.length - 1; i >= 0; i--) {
      const s = all[i]!.subject;
      if (s !== undefined && normaliseSubject(s) === wanted) return all[i];
    }
    return undefined;
  }
}
