/**
 * Runs a CRM sync as sequential batches and decides what a failing batch means
 * (shared by the airtable and hubspot adapters):
 *
 * - `invalid_request` for a batch (its data was refused): that batch's records are `failed`
 *   with the error code, and the remaining batches still run;
 * - any other failure before anything was written: thrown, so the chain can retry or fail over;
 * - any other failure after at least one batch was written: the sync stops and returns a partial
 *   result: the failing batch's records `failed` with the error code, later records `failed`
 *   with code `NOT_ATTEMPTED` (upserts are idempotent, so re-sending them all is safe);
 * - nothing written at all (every batch refused): the first error is thrown;
 * - the attempt deadline passing between batches: GW_PROVIDER_TIMEOUT (nothing of the next
 *   batch was sent; details say how many records were written).
 */
import type { CrmSyncResult } from '../../capabilities/crm-sync.js';
import { GatewayError, toGatewayError } from '../../core/errors.js';

export type RecordOutcome = CrmSyncResult['records'][number];

export interface BatchRun<T> {
  items: readonly T[];
  size: number;
  provider: string;
  signal: AbortSignal;
  /** Pause between batches (0: none). */
  intervalMs: number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** Writes one batch; returns one outcome per item, `index` counted from `offset`. */
  write(batch: readonly T[], offset: number): Promise<RecordOutcome[]>;
}

export async function runBatches<T>(run: BatchRun<T>): Promise<CrmSyncResult> {
  const outcomes: RecordOutcome[] = [];
  let written = 0;
  let firstError: GatewayError | undefined;
  for (let offset = 0; offset < run.items.length; offset += run.size) {
    if (offset > 0 && run.intervalMs > 0) await run.sleep(run.intervalMs, run.signal);
    if (run.signal.aborted) {
      throw new GatewayError('GW_PROVIDER_TIMEOUT', `Attempt deadline passed after ${offset} of ${run.items.length} records were sent`, {
        provider: run.provider,
        details: { recordsSent: offset, recordsWritten: written },
      });
    }
    const batch = run.items.slice(offset, offset + run.size);
    try {
      const result = await run.write(batch, offset);
      outcomes.push(...result);
      written += result.filter((o) => o.status !== 'failed').length;
    } catch (e) {
      const error = toGatewayError(e, run.provider);
      firstError ??= error;
      const failed = (from: number, count: number, code: string, message: string): void => {
        for (let i = 0; i < count; i++) outcomes.push({ index: from + i, status: 'failed', error: { code, message } });
      };
      if (error.kind === 'invalid_request') {
        failed(offset, batch.length, error.code, error.message);
        continue;
      }
      if (written === 0 || run.signal.aborted) throw error;
      failed(offset, batch.length, error.code, error.message);
      const rest = offset + batch.length;
      failed(rest, run.items.length - rest, 'NOT_ATTEMPTED', `not sent: an earlier batch failed with ${error.code}`);
      break;
    }
  }
  if (written === 0 && firstError) throw firstError;
  return summarise(outcomes);
}

function summarise(outcomes: readonly RecordOutcome[]): CrmSyncResult {
  const records = [...outcomes].sort((a, b) => a.index - b.index);
  return {
    created: records.filter((r) => r.status === 'created').length,
    updated: records.filter((r) => r.status === 'updated').length,
    failed: records.filter((r) => r.status === 'failed').length,
    records,
  };
}
