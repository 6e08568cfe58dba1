/**
 * Reads a HubSpot batch answer (200/201 COMPLETE, or 207 Multi-Status with `errors[]`) into one
 * outcome per input. Upsert results are matched to inputs by the id property's value; errors by
 * the ids named in their `context` (any string array in it), case-insensitively. Create results
 * are matched by the `objectWriteTraceId` we sent (the record's index).
 */
import type { CrmRecordOutcome as RecordOutcome } from '../../capabilities/crm-sync.js';
import { codeForCategory } from './errors.js';
import type { CreateInput, UpsertInput } from './inputs.js';

/** A string or number as text; anything else (missing, an object) as ''. */
function scalar(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
}

interface UpsertResult {
  id?: unknown;
  new?: unknown;
  objectWriteTraceId?: unknown;
  properties?: Record<string, unknown>;
}

interface BatchError {
  category?: unknown;
  message?: unknown;
  context?: Record<string, unknown>;
}

export function readBatchAnswer(json: unknown, inputs: readonly UpsertInput[], offset: number): RecordOutcome[] {
  const body = (json ?? {}) as { results?: unknown; errors?: unknown };
  const results = Array.isArray(body.results) ? (body.results as UpsertResult[]) : [];
  const errors = Array.isArray(body.errors) ? (body.errors as BatchError[]) : [];
  const key = (v: unknown): string => scalar(v).toLowerCase();
  const outcomes = new Map<number, RecordOutcome>();
  const byId = new Map<string, number[]>();
  inputs.forEach((input, i) => byId.set(key(input.id), [...(byId.get(key(input.id)) ?? []), i]));

  for (const r of results) {
    const idValue = r.properties?.[inputs[0]?.idProperty ?? 'email'];
    for (const i of byId.get(key(idValue)) ?? []) {
      outcomes.set(i, { index: offset + i, ...(scalar(r.id) ? { id: scalar(r.id) } : {}), status: r.new === true ? 'created' : 'updated' });
    }
  }
  // Without the id property echoed back, fall back to order when every input got a result.
  if (outcomes.size === 0 && errors.length === 0 && results.length === inputs.length) {
    results.forEach((r, i) =>
      outcomes.set(i, { index: offset + i, ...(scalar(r.id) ? { id: scalar(r.id) } : {}), status: r.new === true ? 'created' : 'updated' }),
    );
  }
  const unmatchedErrors: BatchError[] = [];
  for (const e of errors) {
    const error = { code: codeForCategory(typeof e.category === 'string' ? e.category : undefined), message: describe(e) };
    const ids = Object.values(e.context ?? {}).flatMap((v): unknown[] => (Array.isArray(v) ? v : [v]));
    const hits = ids.flatMap((id) => byId.get(key(id)) ?? []);
    if (hits.length === 0) unmatchedErrors.push(e);
    for (const i of hits) outcomes.set(i, { index: offset + i, status: 'failed', error });
  }
  return inputs.map((_, i) => {
    const known = outcomes.get(i);
    if (known) return known;
    const e = unmatchedErrors[0];
    return e
      ? {
          index: offset + i,
          status: 'failed',
          error: { code: codeForCategory(typeof e.category === 'string' ? e.category : undefined), message: describe(e) },
        }
      : {
          index: offset + i,
          status: 'failed',
          error: { code: 'GW_PROVIDER_BAD_RESPONSE', message: 'HubSpot returned no result for this record' },
        };
  });
}

/**
 * A batch/create answer: every result is a new object. Results carry the `objectWriteTraceId` we
 * sent; without it (older API versions) they are taken in order when every input got one.
 */
export function readCreateAnswer(json: unknown, inputs: readonly CreateInput[], offset: number): RecordOutcome[] {
  const body = (json ?? {}) as { results?: unknown; errors?: unknown };
  const results = Array.isArray(body.results) ? (body.results as UpsertResult[]) : [];
  const errors = Array.isArray(body.errors) ? (body.errors as BatchError[]) : [];
  const byTrace = new Map(results.map((r) => [scalar(r.objectWriteTraceId), r]));
  const inOrder = errors.length === 0 && results.length === inputs.length;
  const firstError = errors[0];
  return inputs.map((input, i): RecordOutcome => {
    const r = byTrace.get(input.objectWriteTraceId) ?? (inOrder ? results[i] : undefined);
    if (r) return { index: offset + i, ...(scalar(r.id) ? { id: scalar(r.id) } : {}), status: 'created' };
    if (firstError) {
      const code = codeForCategory(typeof firstError.category === 'string' ? firstError.category : undefined);
      return { index: offset + i, status: 'failed', error: { code, message: describe(firstError) } };
    }
    return {
      index: offset + i,
      status: 'failed',
      error: { code: 'GW_PROVIDER_BAD_RESPONSE', message: 'HubSpot returned no result for this record' },
    };
  });
}

function describe(e: BatchError): string {
  const category = typeof e.category === 'string' ? e.category : 'ERROR';
  const message = typeof e.message === 'string' ? e.message.slice(0, 300) : 'no message';
  return `${category}: ${message}`;
}
