/**
 * The durable outbox: side-effecting requests that could not be delivered now (every provider
 * failed over, or the caller asked for asynchronous delivery) are stored before the caller gets
 * `202` with the delivery id, and a worker delivers them later. Implementations: memory (tests),
 * SQLite (the delivery database, with its own worker) and BullMQ on Redis.
 *
 * An outbox keeps the idempotency ledger in step: enqueue marks the key `queued`, a delivery
 * marks it `succeeded`, `failed` or `unknown_outcome`.
 */
import type { ErrorCode, FailureKind } from '../core/errors.js';

/**
 * `cancelled` and `duplicate` are job items only: not sent because the job was cancelled, or
 * because the item's idempotency key had been accepted before (see ./jobs.ts).
 */
export const DELIVERY_STATES = [
  'pending',
  'in_progress',
  'delivered',
  'failed',
  'dead',
  'unknown_outcome',
  'cancelled',
  'duplicate',
] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export interface DeliveryError {
  code: ErrorCode;
  kind: FailureKind;
  message: string;
}

export interface DeliveryRecord {
  id: string;
  idempotencyKey: string;
  capability: string;
  state: DeliveryState;
  /** Attempts started so far. */
  attempts: number;
  createdAt: number;
  updatedAt: number;
  /** pending: when the worker may try next. */
  nextAttemptAt: number | null;
  request: unknown;
  result?: unknown;
  provider?: string;
  lastError?: DeliveryError;
  /** A job item: its job, the position of its first item in the job, and how many items it carries. */
  job?: JobItemRef;
}

interface JobItemRef {
  id: string;
  position: number;
  items: number;
  /** Drained across every usable provider of the chain at each one's pace (see ProviderChain `spread`). */
  spread: boolean;
}

export interface EnqueueInput {
  idempotencyKey: string;
  capability: string;
  request: unknown;
  now: number;
  /** Why it was queued (the synchronous attempt's error), shown to the operator. */
  lastError?: DeliveryError;
}

/** The record of a delivery just stored: pending, due now, no attempt yet. */
export function newDeliveryRecord(id: string, i: EnqueueInput): DeliveryRecord {
  const rec: DeliveryRecord = {
    id,
    idempotencyKey: i.idempotencyKey,
    capability: i.capability,
    state: 'pending',
    attempts: 0,
    createdAt: i.now,
    updatedAt: i.now,
    nextAttemptAt: i.now,
    request: i.request,
  };
  if (i.lastError) rec.lastError = i.lastError;
  return rec;
}

export interface DeliveryQuery {
  state?: DeliveryState;
  capability?: string;
  limit?: number;
}

export interface PurgeQuery {
  id?: string;
  /** Default: delivered, failed, dead and unknown_outcome (never pending work unless named). */
  states?: readonly DeliveryState[];
  /** Only records last updated before this time. */
  olderThan?: number;
}

export interface Outbox {
  readonly kind: string;
  /** The enqueue marks the key `queued` in the ledger itself (same transaction); otherwise the service does it after. */
  readonly marksLedger?: boolean;
  /** Stores the request durably (committed and synced) and resolves with its record. */
  enqueue(input: EnqueueInput): Promise<DeliveryRecord>;
  get(id: string): Promise<DeliveryRecord | undefined>;
  findByKey(idempotencyKey: string): Promise<DeliveryRecord | undefined>;
  /** Newest first. */
  list(query?: DeliveryQuery): Promise<DeliveryRecord[]>;
  counts(): Promise<Record<DeliveryState, number>>;
  /** Deliveries waiting or in progress, by capability (the work a capability owes). */
  backlog(): Promise<Record<string, number>>;
  /** Makes a dead, failed, unknown or waiting delivery due now (attempts and age start again). */
  retry(id: string, now: number): Promise<DeliveryRecord | undefined>;
  purge(query: PurgeQuery): Promise<number>;
  /** Operator's verdict on an unknown outcome: delivered (done) or not delivered (pending again). */
  resolve(id: string, delivered: boolean, now: number): Promise<DeliveryRecord | undefined>;
  close(): Promise<void>;
}

/** What one worker attempt came to. */
export type DeliveryOutcome =
  | { state: 'delivered'; result: unknown; provider: string }
  | { state: 'failed' | 'unknown_outcome' | 'dead'; error: DeliveryError }
  | { state: 'pending'; nextAttemptAt: number; error: DeliveryError };

export interface LeasedDelivery {
  record: DeliveryRecord;
  /** The lease was taken over from a worker whose lease expired. */
  takenOver: boolean;
  /** ... and that worker had already started calling a provider (the outcome is unknown). */
  wasCalling: boolean;
}

/** An outbox whose records a polling worker leases (each call one delivery; the worker asks for a lane's free slots at once) (memory and SQLite). */
export interface LeasableOutbox extends Outbox {
  /** Leases the oldest due delivery (pending and due, or in progress with an expired lease) of the given capabilities. */
  lease(owner: string, now: number, leaseMs: number, capabilities: readonly string[]): Promise<LeasedDelivery | undefined>;
  /** Records that the provider call is about to start (so a takeover knows the outcome is unknown). */
  markCalling(id: string, owner: string): Promise<boolean>;
  /** Applies the outcome while `owner` still holds the lease (or the record is unknown_outcome and it was delivered). */
  finish(id: string, owner: string, outcome: DeliveryOutcome, now: number): Promise<boolean>;
  /** Earliest time a pending delivery of these capabilities is due, or null. */
  nextDue(capabilities: readonly string[]): Promise<number | null>;
  /** Pending deliveries created before `cutoff`: dead-lettered now and returned. */
  expire(cutoff: number, now: number): Promise<DeliveryRecord[]>;
}

export function emptyCounts(): Record<DeliveryState, number> {
  return { pending: 0, in_progress: 0, delivered: 0, failed: 0, dead: 0, unknown_outcome: 0, cancelled: 0, duplicate: 0 };
}

export const FINISHED_STATES: readonly DeliveryState[] = ['delivered', 'failed', 'dead', 'unknown_outcome', 'cancelled', 'duplicate'];
