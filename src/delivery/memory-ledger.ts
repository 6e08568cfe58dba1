/** The in-process ledger (`memory:` store and tests). */
import {
  effective,
  newEntry,
  type BeginInput,
  type BeginResult,
  type IdempotencyLedger,
  type LedgerEntry,
  type LedgerQuery,
  type LedgerUpdate,
  updateEntry,
} from './ledger.js';

export class MemoryLedger implements IdempotencyLedger {
  readonly kind = 'memory';
  private readonly entries = new Map<string, LedgerEntry>();

  async begin(input: BeginInput): Promise<BeginResult> {
    const found = this.live(input.key, input.now);
    if (found) return { acquired: false, entry: structuredClone(found) };
    const entry = newEntry(input);
    this.entries.set(input.key, entry);
    return { acquired: true, entry: { ...entry } }; // a fresh entry holds no result yet: a shallow copy is a full copy
  }

  async settle(key: string, update: LedgerUpdate, now: number, owner?: string): Promise<boolean> {
    const e = this.entries.get(key);
    if (!e || (owner !== undefined && (e.owner !== owner || e.state !== 'in_flight'))) return false;
    updateEntry(e, update, now); // the stored entry is never handed out (callers get copies)
    return true;
  }

  async release(key: string, owner?: string): Promise<void> {
    const e = this.entries.get(key);
    if (e && (owner === undefined || (e.owner === owner && e.state === 'in_flight'))) this.entries.delete(key);
  }

  async get(key: string, now: number): Promise<LedgerEntry | undefined> {
    const e = this.live(key, now);
    return e ? structuredClone(e) : undefined;
  }

  async list(query: LedgerQuery, now: number): Promise<LedgerEntry[]> {
    const out: LedgerEntry[] = [];
    for (const key of this.entries.keys()) {
      const e = this.live(key, now);
      if (e && (query.state === undefined || e.state === query.state)) out.push(structuredClone(e));
    }
    return out.sort((a, b) => b.createdAt - a.createdAt).slice(0, query.limit ?? 100);
  }

  /** Entries sit in creation order and share one TTL, so expired ones are at the front: stop at the first live one. */
  async prune(now: number): Promise<number> {
    let n = 0;
    for (const [k, e] of this.entries) {
      if (e.expiresAt > now) break;
      this.entries.delete(k);
      n++;
    }
    return n;
  }

  async close(): Promise<void> {}

  private live(key: string, now: number): LedgerEntry | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    const eff = effective(e, now);
    if (eff !== e) this.entries.set(key, eff);
    return eff;
  }
}
