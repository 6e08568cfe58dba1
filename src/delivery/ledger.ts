/**
 * The idempotency ledger: per key, what happened to the request (in flight, succeeded, failed
 * permanently, queued in the outbox, or an unknown outcome) with its fingerprint and result,
 * kept for a TTL. Backends: memory (tests), SQLite (the delivery database), Redis (several
 * instances). Every backend makes `begin` atomic: exactly one caller acquires a new key.
 */
import type { GatewayErrorJSON } from '../core/errors.js';

type LedgerState = 'in_flight' | 'succeeded' | 'failed' | 'queued' | 'unknown_outcome';

export interface LedgerEntry {
  key: string;
  capability: string;
  fingerprint: string;
  state: LedgerState;
  /** Instance/process token of the caller that holds the key while in flight. */
  owner: string;
  /** While in flight: when the holder is presumed dead (its invocation deadline plus a grace). */
  leaseUntil: number;
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
  /** succeeded: the provider's result and name. */
  result?: unknown;
  provider?: string;
  /** failed / unknown_outcome: what the caller was told. */
  error?: GatewayErrorJSON;
  /** queued: the outbox delivery that carries the request. */
  deliveryId?: string;
  /** Set when an operator resolved an unknown outcome. */
  resolvedBy?: string;
}

export interface BeginInput {
  key: string;
  capability: string;
  fingerprint: string;
  owner: string;
  now: number;
  leaseMs: number;
  ttlMs: number;
}

/**
 * `acquired`: the caller owns the new in-flight entry. `existing`: somebody used the key before;
 * an in-flight entry whose lease passed has already been turned into `unknown_outcome`.
 */
export type BeginResult = { acquired: true; entry: LedgerEntry } | { acquired: false; entry: LedgerEntry };

export interface LedgerUpdate {
  state: Exclude<LedgerState, 'in_flight'>;
  result?: unknown;
  provider?: string;
  error?: GatewayErrorJSON;
  deliveryId?: string;
  resolvedBy?: string;
}

export interface LedgerQuery {
  state?: LedgerState;
  limit?: number;
}

export interface IdempotencyLedger {
  readonly kind: string;
  begin(input: BeginInput): Promise<BeginResult>;
  /** Records the outcome; with `owner`, only while that owner still holds the entry. Returns whether it applied. */
  settle(key: string, update: LedgerUpdate, now: number, owner?: string): Promise<boolean>;
  /** Forgets the key (a transient failure: the caller may try again with it). Only the owner's in-flight entry, when given. */
  release(key: string, owner?: string): Promise<void>;
  get(key: string, now: number): Promise<LedgerEntry | undefined>;
  list(query: LedgerQuery, now: number): Promise<LedgerEntry[]>;
  /** Drops expired entries; returns how many. */
  prune(now: number): Promise<number>;
  close(): Promise<void>;
}

/** An in-flight entry whose lease has passed is reported (and persisted) as unknown_outcome. */
export function effective(entry: LedgerEntry, now: number): LedgerEntry {
  if (entry.state !== 'in_flight' || entry.leaseUntil > now) return entry;
  return {
    ...entry,
    state: 'unknown_outcome',
    updatedAt: now,
    error: {
      name: 'GatewayError',
      code: 'GW_UNKNOWN_OUTCOME',
      kind: 'unknown_outcome',
      message: 'The gateway that held this request stopped before recording its outcome; it may or may not have been delivered.',
    },
  };
}

export function newEntry(input: BeginInput): LedgerEntry {
  return {
    key: input.key,
    capability: input.capability,
    fingerprint: input.fingerprint,
    state: 'in_flight',
    owner: input.owner,
    leaseUntil: input.now + input.leaseMs,
    createdAt: input.now,
    updatedAt: input.now,
    expiresAt: input.now + input.ttlMs,
  };
}

/** The entry after an update, as a new object (backends that write it back to storage). */
export function applyUpdate(entry: LedgerEntry, update: LedgerUpdate, now: number): LedgerEntry {
  return updateEntry({ ...entry }, update, now);
}

/**
 * Applies an update to `entry` itself and returns it: the memory ledger updates its own entry
 * in place (it hands out copies only), which saves an object and a Map write per invocation.
 */
export function updateEntry(entry: LedgerEntry, update: LedgerUpdate, now: number): LedgerEntry {
  entry.state = update.state;
  entry.leaseUntil = 0;
  entry.updatedAt = now;
  if (update.result !== undefined) entry.result = update.result;
  if (update.provider !== undefined) entry.provider = update.provider;
  if (update.state === 'succeeded') {
    if (entry.error !== undefined) delete entry.error;
  } else if (update.error !== undefined) entry.error = update.error;
  if (update.deliveryId !== undefined) entry.deliveryId = update.deliveryId;
  if (update.resolvedBy !== undefined) entry.resolvedBy = update.resolvedBy;
  return entry;
}
