/**
 * The in-process ledger (`memory:` store and tests). It holds at most `maxEntries` keys and
 * `maxBytes` of entries (their JSON size): past either, the oldest keys that are no longer in
 * flight are forgotten first, so a long-running process on the memory store stays within its
 * memory. A forgotten key answers as a new one: the cap shortens the idempotency window, and the
 * first eviction is logged saying so. In-flight keys are never evicted (they stop duplicates
 * that are running now).
 */
import { silentLogger, type Logger } from '../core/logger.js';
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

export interface MemoryLedgerLimits {
  maxEntries: number;
  maxBytes: number;
}

/** An entry and its JSON size. */
interface Slot {
  entry: LedgerEntry;
  bytes: number;
}

export class MemoryLedger implements IdempotencyLedger {
  readonly kind = 'memory';
  /** Keys forgotten to stay within the limits. */
  evictions = 0;
  private readonly slots = new Map<string, Slot>();
  private bytes = 0;
  private readonly limits: MemoryLedgerLimits;
  private readonly logger: Logger;

  constructor(options: { limits?: Partial<MemoryLedgerLimits>; logger?: Logger } = {}) {
    this.limits = { maxEntries: 100_000, maxBytes: 64 * 1_048_576, ...options.limits };
    this.logger = options.logger ?? silentLogger;
  }

  /** How many keys it holds and their JSON size. */
  get usage(): { entries: number; bytes: number } {
    return { entries: this.slots.size, bytes: this.bytes };
  }

  async begin(input: BeginInput): Promise<BeginResult> {
    const found = this.live(input.key, input.now);
    if (found) return { acquired: false, entry: structuredClone(found) };
    const entry = newEntry(input);
    this.store(entry);
    this.evict(input.now);
    return { acquired: true, entry: { ...entry } }; // a fresh entry holds no result yet: a shallow copy is a full copy
  }

  async settle(key: string, update: LedgerUpdate, now: number, owner?: string): Promise<boolean> {
    const e = this.slots.get(key)?.entry;
    if (!e || (owner !== undefined && (e.owner !== owner || e.state !== 'in_flight'))) return false;
    this.store(updateEntry(e, update, now)); // the stored entry is never handed out (callers get copies)
    this.evict(now);
    return true;
  }

  async release(key: string, owner?: string): Promise<void> {
    const e = this.slots.get(key)?.entry;
    if (e && (owner === undefined || (e.owner === owner && e.state === 'in_flight'))) this.drop(key);
  }

  async get(key: string, now: number): Promise<LedgerEntry | undefined> {
    const e = this.live(key, now);
    return e ? structuredClone(e) : undefined;
  }

  async list(query: LedgerQuery, now: number): Promise<LedgerEntry[]> {
    const out: LedgerEntry[] = [];
    for (const key of this.slots.keys()) {
      const e = this.live(key, now);
      if (e && (query.state === undefined || e.state === query.state)) out.push(structuredClone(e));
    }
    return out.sort((a, b) => b.createdAt - a.createdAt).slice(0, query.limit ?? 100);
  }

  /** Entries sit in creation order and share one TTL, so expired ones are at the front: stop at the first live one. */
  async prune(now: number): Promise<number> {
    let n = 0;
    for (const [k, slot] of this.slots) {
      if (slot.entry.expiresAt > now) break;
      this.drop(k);
      n++;
    }
    return n;
  }

  async close(): Promise<void> {}

  private live(key: string, now: number): LedgerEntry | undefined {
    const e = this.slots.get(key)?.entry;
    if (!e) return undefined;
    if (e.expiresAt <= now) {
      this.drop(key);
      return undefined;
    }
    const eff = effective(e, now);
    if (eff !== e) this.store(eff);
    return eff;
  }

  /** Sets the key's entry (its place in the creation order stays) and counts its size. */
  private store(entry: LedgerEntry): void {
    const bytes = JSON.stringify(entry).length;
    this.bytes += bytes - (this.slots.get(entry.key)?.bytes ?? 0);
    this.slots.set(entry.key, { entry, bytes });
  }

  private drop(key: string): void {
    const slot = this.slots.get(key);
    if (!slot) return;
    this.bytes -= slot.bytes;
    this.slots.delete(key);
  }

  /** Forgets the oldest keys not in flight (a lapsed lease counts as settled) until within both limits. */
  private evict(now: number): void {
    const over = (): boolean => this.slots.size > this.limits.maxEntries || this.bytes > this.limits.maxBytes;
    if (!over()) return;
    for (const [key, { entry }] of this.slots) {
      if (entry.state === 'in_flight' && entry.leaseUntil > now) continue;
      this.drop(key);
      if (this.evictions++ === 0) {
        this.logger.warn(
          { maxEntries: this.limits.maxEntries, maxBytes: this.limits.maxBytes },
          'memory ledger full: the oldest settled idempotency keys are forgotten before their TTL (delivery.memoryLedger; use a sqlite: or redis: store for the full window)',
        );
      }
      if (!over()) return;
    }
  }
}
