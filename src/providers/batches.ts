/**
 * Runs a batch request as sequential calls of at most `size` items (a CRM sync, a bulk
 * enrichment) and decides what a failing call means, the same way for every adapter:
 *
 * - `invalid_request` for a call (its data was refused): that call's items are `failed` with
 *   the error code, and the remaining calls still run;
 * - any other failure before any item succeeded: thrown, so the chain can retry or fail over;
 * - any other failure after at least one item succeeded: the run stops and returns a partial
 *   result: the failing call's items `failed` with the error code, later items `failed` with
 *   code `NOT_ATTEMPTED` (never sent, so sending them again is safe);
 * - nothing succeeded at all (every call refused): the first error is thrown;
 * - the attempt deadline passing between calls: GW_PROVIDER_TIMEOUT (nothing of the next call
 *   was sent; details say how many items were sent and succeeded).
 */
import {
  emailVerificationBatchResultOf,
  type AddressOutcome,
  type EmailVerificationBatchResult,
  type EmailVerificationResult,
} from '../capabilities/email-verification.js';
import { GatewayError, toGatewayError } from '../core/errors.js';

/** One item's outcome; `index` counts from 0 over the whole request. */
export interface ItemOutcome {
  index: number;
  status: string;
  error?: { code: string; message: string };
}

export interface BatchRun<T, O extends ItemOutcome> {
  items: readonly T[];
  size: number;
  provider: string;
  signal: AbortSignal;
  /** Pause between calls (0: none). */
  intervalMs: number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** Sends one call; returns one outcome per item, `index` counted from `offset`. */
  write(batch: readonly T[], offset: number): Promise<O[]>;
  /** The outcome of an item that failed (or was not attempted) with this error. */
  failed(index: number, error: { code: string; message: string }): O;
}

/** Every item's outcome, in index order. */
export async function runBatches<T, O extends ItemOutcome>(run: BatchRun<T, O>): Promise<O[]> {
  const outcomes: O[] = [];
  let succeeded = 0;
  let firstError: GatewayError | undefined;
  const fail = (from: number, count: number, code: string, message: string): void => {
    for (let i = 0; i < count; i++) outcomes.push(run.failed(from + i, { code, message }));
  };
  for (let offset = 0; offset < run.items.length; offset += run.size) {
    if (offset > 0 && run.intervalMs > 0) await run.sleep(run.intervalMs, run.signal);
    if (run.signal.aborted) {
      throw new GatewayError('GW_PROVIDER_TIMEOUT', `Attempt deadline passed after ${offset} of ${run.items.length} items were sent`, {
        provider: run.provider,
        details: { itemsSent: offset, itemsSucceeded: succeeded },
      });
    }
    const batch = run.items.slice(offset, offset + run.size);
    try {
      const result = await run.write(batch, offset);
      outcomes.push(...result);
      succeeded += result.filter((o) => o.status !== 'failed').length;
    } catch (e) {
      const error = toGatewayError(e, run.provider);
      firstError ??= error;
      if (error.kind === 'invalid_request') {
        fail(offset, batch.length, error.code, error.message);
        continue;
      }
      if (succeeded === 0 || run.signal.aborted) throw error;
      fail(offset, batch.length, error.code, error.message);
      const rest = offset + batch.length;
      fail(rest, run.items.length - rest, 'NOT_ATTEMPTED', `not sent: an earlier call failed with ${error.code}`);
      break;
    }
  }
  if (succeeded === 0 && firstError) throw firstError;
  return outcomes.sort((a, b) => a.index - b.index);
}

/**
 * An `emails` verification request on a verifier without a batch endpoint: each address in
 * turn. An address the provider refuses (`invalid_request`) is a failed outcome; any other
 * failure is thrown, so the chain retries or fails over the whole request (verifying an address
 * again changes nothing at the provider).
 */
export async function verifyEach(
  emails: readonly string[],
  verify: (email: string) => Promise<EmailVerificationResult>,
): Promise<EmailVerificationBatchResult> {
  const results: AddressOutcome[] = [];
  for (const [index, email] of emails.entries()) {
    try {
      results.push({ index, status: 'verified', result: await verify(email) });
    } catch (error) {
      const e = toGatewayError(error);
      if (e.kind !== 'invalid_request') throw error;
      results.push({ index, status: 'failed', error: { code: e.code, message: e.message } });
    }
  }
  return emailVerificationBatchResultOf(results);
}
