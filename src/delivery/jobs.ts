/**
 * Jobs: many requests of one capability submitted at once (a campaign, a CRM import) and
 * delivered in the background at each provider's own pace. A job's items are outbox
 * deliveries (see ./outbox.ts) that carry the job's id and their position, so they are stored
 * durably, leased, retried, taken over after a crash and settled in the idempotency ledger
 * exactly like any other delivery; the outbox worker leases ordinary deliveries before job
 * items, so a campaign never holds up a transactional send.
 *
 * Lifecycle: `receiving` while the items are streamed into the store (nothing is sent), then
 * `running` (due now), `paused` (items not yet started wait; calls already running end),
 * `cancelled` (items not yet started end as `cancelled`). A running job with no item left to
 * send reports `completed`.
 */
import { emptyCounts, type DeliveryRecord, type DeliveryState } from './outbox.js';

export type JobState = 'receiving' | 'running' | 'paused' | 'cancelled' | 'completed';
/** The states an operator may set. */
export type JobControl = 'pause' | 'resume' | 'cancel';

export interface JobRecord {
  id: string;
  /** The caller's idempotency key for the whole job, when given. */
  key?: string;
  capability: string;
  state: JobState;
  spread: boolean;
  /** Items submitted. */
  items: number;
  createdAt: number;
  updatedAt: number;
  /** Items per delivery state. */
  counts: Record<DeliveryState, number>;
  /** Items delivered, by provider. */
  providers: Record<string, number>;
  /** Items delivered per second over the last minute. */
  ratePerSecond: number;
  /** Seconds until the items left are delivered at that rate (null: no rate yet, or nothing left). */
  etaSeconds: number | null;
}

/** One stored delivery of a job: its key, validated request, fingerprint, position and item count. */
export interface JobItemInput {
  idempotencyKey: string;
  request: unknown;
  fingerprint: string;
  position: number;
  items: number;
}

export interface CreateJobInput {
  id: string;
  key?: string;
  capability: string;
  spread: boolean;
  now: number;
}

export interface JobItemQuery {
  /** Items from this position on (default 0). */
  fromPosition?: number;
  limit?: number;
  states?: readonly DeliveryState[];
}

/** The job side of an outbox that can hold jobs (SQLite today). */
export interface JobStore {
  /** A new job in `receiving`, or the existing one when its key was used before (`created: false`); GW_IDEMPOTENCY_IN_FLIGHT while that one is still receiving. */
  create(input: CreateJobInput): Promise<{ job: JobRecord; created: boolean }>;
  /** Stores items in one transaction: each key begun in the ledger; a key seen before makes a `duplicate` (or a `failed` mismatch). */
  append(jobId: string, items: readonly JobItemInput[], ledger: { owner: string; ttlMs: number; now: number }): Promise<void>;
  /** `receiving` -> `running`: every item due now. */
  open(jobId: string, now: number): Promise<void>;
  /** Drops a job that was never opened, its items and their ledger keys. */
  discard(jobId: string): Promise<void>;
  get(id: string, now: number): Promise<JobRecord | undefined>;
  /** Newest first. */
  list(limit: number, now: number): Promise<JobRecord[]>;
  control(id: string, action: JobControl, now: number): Promise<JobRecord | undefined>;
  /** The job's deliveries in position order. */
  items(id: string, query: JobItemQuery): Promise<DeliveryRecord[]>;
}

export interface StateRow {
  state: DeliveryState;
  provider: string | null;
  n: number;
  /** Items delivered in the last minute. */
  recent: number;
  /** Items of delivered merged requests that the provider refused one by one (a CRM record, a person). */
  refused: number;
}

/**
 * A job's figures from its item counts per state and provider. An item the provider refused
 * inside a delivered batch counts as failed.
 */
export function jobFigures(
  stored: { state: Exclude<JobState, 'completed'>; createdAt: number },
  rows: readonly StateRow[],
  now: number,
): Pick<JobRecord, 'state' | 'counts' | 'providers' | 'ratePerSecond' | 'etaSeconds'> {
  const counts = emptyCounts();
  const providers: Record<string, number> = {};
  let recent = 0;
  for (const r of rows) {
    counts[r.state] += r.n - r.refused;
    counts.failed += r.refused;
    recent += r.recent;
    if (r.state === 'delivered' && r.provider !== null) providers[r.provider] = (providers[r.provider] ?? 0) + r.n;
  }
  const left = counts.pending + counts.in_progress;
  const windowS = Math.min(60, Math.max(1, (now - stored.createdAt) / 1000));
  const ratePerSecond = Math.round((recent / windowS) * 100) / 100;
  const state = stored.state === 'running' && left === 0 ? 'completed' : stored.state;
  const etaSeconds = left > 0 && ratePerSecond > 0 && state === 'running' ? Math.ceil(left / ratePerSecond) : null;
  return { state, counts, providers, ratePerSecond, etaSeconds };
}
