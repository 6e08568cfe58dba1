/** Row <-> record mapping of the SQLite outbox table. */
import type { DeliveryError, DeliveryRecord, DeliveryState } from './outbox.js';

export interface OutboxRow {
  id: string;
  idempotency_key: string;
  capability: string;
  state: string;
  created_at: number;
  updated_at: number;
  next_at: number | null;
  attempts: number;
  owner: string | null;
  lease_until: number | null;
  calling: number;
  request: string;
  result: string | null;
  provider: string | null;
  last_error: string | null;
  job_id: string | null;
  position: number | null;
  items: number;
  lane: number;
  /** Joined from the jobs table where a query needs it. */
  spread?: number | null;
}

export function toRecord(row: OutboxRow): DeliveryRecord {
  const rec: DeliveryRecord = {
    id: row.id,
    idempotencyKey: row.idempotency_key,
    capability: row.capability,
    state: row.state as DeliveryState,
    attempts: row.attempts,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    nextAttemptAt: row.state === 'pending' ? row.next_at : null,
    request: JSON.parse(row.request) as unknown,
  };
  if (row.result !== null) rec.result = JSON.parse(row.result) as unknown;
  if (row.provider !== null) rec.provider = row.provider;
  if (row.last_error !== null) rec.lastError = JSON.parse(row.last_error) as DeliveryError;
  if (row.job_id !== null) rec.job = { id: row.job_id, position: row.position ?? 0, items: row.items, spread: row.spread === 1 };
  return rec;
}
