/**
 * The in-process outbox (`memory:` store and tests): same semantics as SQLite, nothing survives
 * the process. Past MAX_ROWS deliveries it drops the oldest that have ended (delivered, failed,
 * dead, cancelled, duplicate) as `outbox purge` would; pending, in-progress and unknown-outcome
 * ones always stay.
 */
import { randomUUID } from 'node:crypto';
import type { IdempotencyLedger } from './ledger.js';
import {
  FINISHED_STATES,
  emptyCounts,
  newDeliveryRecord,
  type DeliveryOutcome,
  type DeliveryQuery,
  type DeliveryRecord,
  type DeliveryState,
  type EnqueueInput,
  type LeasableOutbox,
  type LeasedDelivery,
  type PurgeQuery,
} from './outbox.js';

const MAX_ROWS = 10_000;
/** Ended deliveries that may be dropped (an unknown outcome waits for an operator). */
const DROPPABLE: readonly DeliveryState[] = FINISHED_STATES.filter((s) => s !== 'unknown_outcome');

interface Row {
  rec: DeliveryRecord;
  owner: string | null;
  leaseUntil: number;
  calling: boolean;
}

export class MemoryOutbox implements LeasableOutbox {
  readonly kind = 'memory';
  readonly marksLedger = true;
  private readonly rows = new Map<string, Row>();

  constructor(
    private readonly ledger?: IdempotencyLedger,
    private readonly maxRows = MAX_ROWS,
  ) {}

  async enqueue(i: EnqueueInput): Promise<DeliveryRecord> {
    const id = `dlv_${randomUUID().replace(/-/g, '')}`;
    const rec = newDeliveryRecord(id, { ...i, request: structuredClone(i.request) });
    this.rows.set(id, { rec, owner: null, leaseUntil: 0, calling: false });
    await this.ledger?.settle(i.idempotencyKey, { state: 'queued', deliveryId: id }, i.now);
    return structuredClone(rec);
  }

  async get(id: string): Promise<DeliveryRecord | undefined> {
    const r = this.rows.get(id);
    return r ? structuredClone(r.rec) : undefined;
  }

  async findByKey(key: string): Promise<DeliveryRecord | undefined> {
    return (await this.list({ limit: Number.MAX_SAFE_INTEGER })).find((r) => r.idempotencyKey === key);
  }

  async list(q: DeliveryQuery = {}): Promise<DeliveryRecord[]> {
    return [...this.rows.values()]
      .map((r) => r.rec)
      .filter((r) => (q.state === undefined || r.state === q.state) && (q.capability === undefined || r.capability === q.capability))
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, q.limit ?? 100)
      .map((r) => structuredClone(r));
  }

  async counts(): Promise<Record<DeliveryState, number>> {
    const out = emptyCounts();
    for (const r of this.rows.values()) out[r.rec.state]++;
    return out;
  }

  async backlog(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const { rec } of this.rows.values())
      if (rec.state === 'pending' || rec.state === 'in_progress') out[rec.capability] = (out[rec.capability] ?? 0) + 1;
    return out;
  }

  async retry(id: string, now: number): Promise<DeliveryRecord | undefined> {
    const r = this.rows.get(id);
    if (!r) return undefined;
    if (r.rec.state !== 'delivered' && r.rec.state !== 'in_progress') {
      Object.assign(r.rec, { state: 'pending', nextAttemptAt: now, createdAt: now, attempts: 0, updatedAt: now });
      Object.assign(r, { owner: null, calling: false });
      await this.ledger?.settle(r.rec.idempotencyKey, { state: 'queued', deliveryId: id }, now);
    }
    return structuredClone(r.rec);
  }

  async resolve(id: string, delivered: boolean, now: number): Promise<DeliveryRecord | undefined> {
    if (!delivered) return this.retry(id, now);
    const r = this.rows.get(id);
    if (!r) return undefined;
    if (r.rec.state !== 'in_progress' && r.rec.state !== 'pending') {
      Object.assign(r.rec, { state: 'delivered', nextAttemptAt: null, updatedAt: now });
      await this.ledger?.settle(r.rec.idempotencyKey, { state: 'succeeded', result: null, resolvedBy: 'operator', deliveryId: id }, now);
    }
    return structuredClone(r.rec);
  }

  async purge(q: PurgeQuery): Promise<number> {
    const states = q.states ?? FINISHED_STATES;
    let n = 0;
    for (const [id, r] of this.rows) {
      if (
        !states.includes(r.rec.state) ||
        (q.id !== undefined && id !== q.id) ||
        (q.olderThan !== undefined && r.rec.updatedAt >= q.olderThan)
      )
        continue;
      this.rows.delete(id);
      const entry = await this.ledger?.get(r.rec.idempotencyKey, r.rec.updatedAt);
      if (entry?.state === 'queued') await this.ledger?.release(r.rec.idempotencyKey);
      n++;
    }
    return n;
  }

  async lease(owner: string, now: number, leaseMs: number, capabilities: readonly string[]): Promise<LeasedDelivery | undefined> {
    let best: Row | undefined;
    for (const r of this.rows.values()) {
      if (!capabilities.includes(r.rec.capability)) continue;
      const due =
        (r.rec.state === 'pending' && (r.rec.nextAttemptAt ?? 0) <= now) || (r.rec.state === 'in_progress' && r.leaseUntil <= now);
      if (due && (!best || (r.rec.nextAttemptAt ?? 0) < (best.rec.nextAttemptAt ?? 0))) best = r;
    }
    if (!best) return undefined;
    const takenOver = best.rec.state === 'in_progress';
    const wasCalling = takenOver && best.calling;
    Object.assign(best, { owner, leaseUntil: now + leaseMs, calling: false });
    Object.assign(best.rec, { state: 'in_progress', attempts: best.rec.attempts + 1, updatedAt: now });
    return { record: structuredClone(best.rec), takenOver, wasCalling };
  }

  async markCalling(id: string, owner: string): Promise<boolean> {
    const r = this.rows.get(id);
    if (!r || r.owner !== owner || r.rec.state !== 'in_progress') return false;
    r.calling = true;
    return true;
  }

  async finish(id: string, owner: string, outcome: DeliveryOutcome, now: number): Promise<boolean> {
    const r = this.rows.get(id);
    if (!r) return false;
    const holds = r.rec.state === 'in_progress' && r.owner === owner;
    if (!holds && !(r.rec.state === 'unknown_outcome' && outcome.state === 'delivered')) return false;
    Object.assign(r, { owner: null, calling: false });
    r.rec.state = outcome.state;
    r.rec.updatedAt = now;
    r.rec.nextAttemptAt = outcome.state === 'pending' ? outcome.nextAttemptAt : null;
    const key = r.rec.idempotencyKey;
    if (outcome.state === 'delivered') {
      r.rec.result = structuredClone(outcome.result);
      r.rec.provider = outcome.provider;
      await this.ledger?.settle(key, { state: 'succeeded', result: outcome.result, provider: outcome.provider, deliveryId: id }, now);
      await this.trim();
      return true;
    }
    r.rec.lastError = outcome.error;
    if (outcome.state === 'failed' || outcome.state === 'unknown_outcome') {
      await this.ledger?.settle(key, { state: outcome.state, error: { name: 'GatewayError', ...outcome.error }, deliveryId: id }, now);
    }
    await this.trim();
    return true;
  }

  async nextDue(capabilities: readonly string[]): Promise<number | null> {
    let t: number | null = null;
    for (const r of this.rows.values()) {
      if (!capabilities.includes(r.rec.capability)) continue;
      const due = r.rec.state === 'pending' ? r.rec.nextAttemptAt : r.rec.state === 'in_progress' ? r.leaseUntil : null;
      if (due !== null && (t === null || due < t)) t = due;
    }
    return t;
  }

  async expire(cutoff: number, now: number): Promise<DeliveryRecord[]> {
    const out: DeliveryRecord[] = [];
    for (const r of this.rows.values()) {
      if (r.rec.state !== 'pending' || r.rec.createdAt >= cutoff) continue;
      Object.assign(r.rec, { state: 'dead', nextAttemptAt: null, updatedAt: now });
      out.push(structuredClone(r.rec));
    }
    await this.trim();
    return out;
  }

  /** Past maxRows, drops the oldest ended deliveries, as `outbox purge` would. */
  private async trim(): Promise<void> {
    for (const [id, r] of this.rows) {
      if (this.rows.size <= this.maxRows) return;
      if (DROPPABLE.includes(r.rec.state)) await this.purge({ id, states: DROPPABLE });
    }
  }

  async close(): Promise<void> {}
}
