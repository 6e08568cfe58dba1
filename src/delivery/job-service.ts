/**
 * Submitting a job: its items (any iterable, so an NDJSON stream is never held whole) are
 * validated one by one, merged into the capability's batch form where it has one
 * (../capabilities/job-batches.ts), and stored in chunks of 500 while the job is `receiving`;
 * the job is opened only when every item is stored, so the caller's `202` means all of it is on
 * disk. A bad item discards the job and names the item and field. Each stored delivery has an
 * idempotency key: the item's own, or `<job id>:<position>` (a merged request:
 * `<job id>:<first position>+<items>`), so a job resubmitted under the same key sends nothing twice.
 */
import { createHash, randomUUID } from 'node:crypto';
import { JOB_BATCHES, type EntryOutcome, type JobBatch } from '../capabilities/job-batches.js';
import type { Clock } from '../core/clock.js';
import { GatewayError } from '../core/errors.js';
import type { ChainRegistry } from '../core/registry.js';
import { requestFingerprint } from './fingerprint.js';
import type { JobControl, JobItemInput, JobRecord, JobStore } from './jobs.js';
import type { DeliveryRecord, DeliveryState } from './outbox.js';

/** The most items one job may carry. */
const JOB_MAX_ITEMS = 1_000_000;
const STORE_CHUNK = 500;

export interface SubmitJobOptions {
  /** The caller's key for the whole job: a second submission with it answers with the first job. */
  key?: string;
  /** Drain across every usable provider of the chain (default: the capability has no side effects elsewhere, see spreadByDefault). */
  spread?: boolean;
}

/** One line of a job's results: the item at `position`, what happened to it, and its answer or error. */
export interface JobItemResult {
  position: number;
  idempotencyKey: string;
  state: DeliveryState;
  deliveryId: string;
  provider?: string;
  result?: unknown;
  error?: { code: string; message: string };
}

/**
 * Whether a capability's jobs spread over the whole chain by default: yes where the providers
 * are interchangeable pipes (email relays, verifiers, enrichers, webhook endpoints); no where
 * each provider is a separate destination (a CRM, a social account), so a job's records do not
 * end up split between two systems.
 */
function spreadByDefault(capability: string): boolean {
  return capability !== 'crm_sync' && !capability.startsWith('social_posting');
}

/** An item as given: a bare request, or `{ "request": {...}, "idempotencyKey": "..." }`. */
function unwrap(item: unknown, position: number): { request: unknown; key?: string } {
  if (item !== null && typeof item === 'object' && !Array.isArray(item) && 'request' in item) {
    const o = item as Record<string, unknown>;
    const extra = Object.keys(o).find((k) => k !== 'request' && k !== 'idempotencyKey');
    if (extra === undefined) {
      const key = o.idempotencyKey;
      if (key === undefined) return { request: o.request };
      if (typeof key !== 'string' || key.length < 1 || key.length > 255)
        throw invalidItem(position, 'idempotencyKey', 'must be a string of 1 to 255 characters');
      return { request: o.request, key };
    }
  }
  return { request: item };
}

function invalidItem(position: number, path: string, message: string): GatewayError {
  const at = `items[${position}]${path === '(root)' ? '' : `.${path}`}`;
  return new GatewayError('GW_INVALID_REQUEST', `Invalid job: ${at}: ${message}`, { details: { problems: [{ path: at, message }] } });
}

/** A validation error of an item, its problem paths under `items[position]`. */
function locate(error: unknown, position: number): unknown {
  if (!(error instanceof GatewayError) || error.code !== 'GW_INVALID_REQUEST') return error;
  const problems = (error.details?.problems as { path: string; message: string }[] | undefined) ?? [];
  const first = problems[0];
  if (!first) return invalidItem(position, '(root)', error.message);
  const e = invalidItem(position, first.path, first.message);
  e.details!.problems = problems.map((p) => ({ path: `items[${position}]${p.path === '(root)' ? '' : `.${p.path}`}`, message: p.message }));
  return e;
}

export interface JobServiceOptions {
  chains: ChainRegistry;
  store: JobStore;
  clock: Clock;
  /** Idempotency keys of job items are kept this long (the ledger TTL). */
  ttlMs: number;
}

export class JobService {
  constructor(private readonly o: JobServiceOptions) {}

  /** Validates and stores every item, then opens the job. Throws GW_INVALID_REQUEST naming the item and field. */
  async submit(
    capability: string,
    items: Iterable<unknown> | AsyncIterable<unknown>,
    opts: SubmitJobOptions = {},
  ): Promise<{ job: JobRecord; created: boolean }> {
    const chain = this.o.chains.requireChain(capability);
    const { clock, store } = this.o;
    const id =
      opts.key === undefined
        ? `job_${randomUUID().replace(/-/g, '')}`
        : `job_${createHash('sha256').update(opts.key).digest('hex').slice(0, 32)}`;
    const spread = opts.spread ?? spreadByDefault(capability);
    const input = { id, capability, spread, now: clock.now(), ...(opts.key === undefined ? {} : { key: opts.key }) };
    const made = await store.create(input);
    if (!made.created) return made;
    const ledger = { owner: `job:${id}`, ttlMs: this.o.ttlMs, now: input.now };
    const batch = JOB_BATCHES[capability];
    const pending: JobItemInput[] = [];
    let merging: { envelope: string; entries: unknown[]; first: number } | null = null;
    const flushMerge = (): void => {
      if (!merging) return;
      const request = batch!.merge(merging.envelope, merging.entries);
      const key = `${id}:${merging.first}+${merging.entries.length}`;
      pending.push({
        idempotencyKey: key,
        request,
        fingerprint: requestFingerprint(capability, request),
        position: merging.first,
        items: merging.entries.length,
      });
      merging = null;
    };
    const store500 = async (): Promise<void> => {
      if (pending.length < STORE_CHUNK) return;
      await store.append(id, pending.splice(0), { ...ledger, now: clock.now() });
    };
    try {
      let position = 0;
      for await (const item of items) {
        if (position >= JOB_MAX_ITEMS) throw invalidItem(position, '(root)', `a job carries at most ${JOB_MAX_ITEMS} items`);
        const { request, key } = unwrap(item, position);
        let parsed: unknown;
        try {
          parsed = chain.validate(request);
        } catch (error) {
          throw locate(error, position);
        }
        const part = key === undefined && batch ? batch.split(parsed) : null;
        if (part && merging && merging.envelope === part.envelope && merging.entries.length < batch!.max) {
          merging.entries.push(part.entry);
        } else {
          flushMerge();
          if (part) merging = { envelope: part.envelope, entries: [part.entry], first: position };
          else
            pending.push({
              idempotencyKey: key ?? `${id}:${position}`,
              request: parsed,
              fingerprint: requestFingerprint(capability, parsed),
              position,
              items: 1,
            });
        }
        position++;
        await store500();
      }
      if (position === 0) throw invalidItem(0, '(root)', 'a job needs at least one item');
      flushMerge();
      if (pending.length > 0) await store.append(id, pending.splice(0), { ...ledger, now: clock.now() });
      await store.open(id, clock.now());
    } catch (error) {
      await store.discard(id);
      throw error;
    }
    return { job: (await store.get(id, clock.now()))!, created: true };
  }

  get(id: string): Promise<JobRecord | undefined> {
    return this.o.store.get(id, this.o.clock.now());
  }

  list(limit = 50): Promise<JobRecord[]> {
    return this.o.store.list(limit, this.o.clock.now());
  }

  control(id: string, action: JobControl): Promise<JobRecord | undefined> {
    return this.o.store.control(id, action, this.o.clock.now());
  }

  /**
   * The job's items in position order, one line each (a merged request is split back into its
   * items), from `fromPosition`, at most `limit` lines; `failures` keeps only items that did not
   * succeed.
   */
  async *results(id: string, opts: { fromPosition?: number; failures?: boolean } = {}): AsyncGenerator<JobItemResult> {
    const job = await this.get(id);
    if (!job) return;
    const batch = JOB_BATCHES[job.capability];
    let from = opts.fromPosition ?? 0;
    for (;;) {
      const page = await this.o.store.items(id, { fromPosition: from, limit: 500 });
      if (page.length === 0) return;
      for (const d of page) {
        for (const line of itemResults(d, batch)) if (!opts.failures || line.state !== 'delivered') yield line;
        from = (d.job?.position ?? from) + (d.job?.items ?? 1);
      }
    }
  }
}

/** One line per item of a delivery (several for a merged request). */
function itemResults(d: DeliveryRecord, batch: JobBatch | undefined): JobItemResult[] {
  const first = d.job?.position ?? 0;
  const count = d.job?.items ?? 1;
  const base = (k: number): JobItemResult => {
    const line: JobItemResult = { position: first + k, idempotencyKey: d.idempotencyKey, state: d.state, deliveryId: d.id };
    if (d.provider !== undefined) line.provider = d.provider;
    return line;
  };
  if (d.state !== 'delivered') {
    return Array.from({ length: count }, (_, k) => {
      const line = base(k);
      if (d.lastError) line.error = { code: d.lastError.code, message: d.lastError.message };
      if (d.state === 'duplicate') line.result = d.result;
      return line;
    });
  }
  if (!batch || !isMerged(d)) return [{ ...base(0), result: d.result }];
  return Array.from({ length: count }, (_, k) => {
    const o: EntryOutcome = batch.outcome(d.result, k);
    return o.ok ? { ...base(k), result: o.result } : { ...base(k), state: 'failed', error: o.error };
  });
}

/** A delivery the job made by merging items: its key is `<job id>:<first position>+<count>`. */
function isMerged(d: DeliveryRecord): boolean {
  return (
    d.job !== undefined && /^\d+\+\d+$/.test(d.idempotencyKey.slice(d.job.id.length + 1)) && d.idempotencyKey.startsWith(`${d.job.id}:`)
  );
}
