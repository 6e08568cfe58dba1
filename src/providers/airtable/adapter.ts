/**
 * Airtable crm_sync adapter: upserts with `PATCH /v0/{baseId}/{table}` and
 * `performUpsert.fieldsToMergeOn` when the request names `mergeOn`, plain creates with
 * `POST /v0/{baseId}/{table}` when it does not; 10 records per call, calls spaced to respect
 * 5 req/s per base. An upsert is safe to repeat; a create is not (`deduplicatesRequest`).
 */
import {
  crmSyncResultOf,
  type CrmRecordOutcome as RecordOutcome,
  type CrmSyncRequest,
  type CrmSyncResult,
} from '../../capabilities/crm-sync.js';
import { GatewayError } from '../../core/errors.js';
import type { InvokeContext, ProbeContext, ProbeResult, Provider } from '../../core/provider.js';
import { httpRequest } from '../http/client.js';
import type { ProviderDeps } from '../types.js';
import { runBatches } from '../batches.js';
import { mapAirtableError } from './errors.js';
import { AIRTABLE_BATCH_SIZE, AIRTABLE_RATE_LIMIT_WAIT_MS, type AirtableOptions } from './options.js';
import { probeAirtable } from './probe.js';

type Fields = CrmSyncRequest['records'][number]['fields'];

export class AirtableProvider implements Provider<CrmSyncRequest, CrmSyncResult> {
  readonly type = 'airtable';

  /** An upsert matches on its merge fields, so repeating it creates nothing twice; a create would. */
  deduplicatesRequest(req: CrmSyncRequest): boolean {
    return req.mergeOn !== undefined;
  }

  constructor(
    readonly name: string,
    private readonly options: AirtableOptions,
    private readonly deps: ProviderDeps,
  ) {}

  async invoke(req: CrmSyncRequest, ctx: InvokeContext): Promise<CrmSyncResult> {
    const token = this.requireToken();
    const table = req.object ?? this.options.table;
    if (!this.options.baseId || !table) {
      throw new GatewayError(
        'GW_NOT_CONFIGURED',
        `Airtable provider ${this.name} needs baseId and a table (option table or request object)`,
        {
          provider: this.name,
          details: { settings: ['baseId', 'table'] },
        },
      );
    }
    const url = `${this.root()}/${encodeURIComponent(this.options.baseId)}/${encodeURIComponent(table)}`;
    const records = await runBatches({
      items: req.records,
      size: AIRTABLE_BATCH_SIZE,
      provider: this.name,
      signal: ctx.signal,
      intervalMs: this.options.batchIntervalMs,
      sleep: (ms, signal) => this.deps.clock.sleep(ms, signal),
      write: (batch, offset) => this.writeBatch(url, batch, offset, req, token, ctx),
      failed: (index, error): RecordOutcome => ({ index, status: 'failed', error }),
    });
    return crmSyncResultOf(records);
  }

  async probe(ctx: ProbeContext): Promise<ProbeResult> {
    const { baseId, table } = this.options;
    return probeAirtable({
      root: this.root(),
      token: this.requireToken(),
      baseId,
      table,
      provider: this.name,
      signal: ctx.signal,
      now: this.deps.clock.now(),
    });
  }

  private async writeBatch(
    url: string,
    batch: readonly { fields: Fields }[],
    offset: number,
    req: CrmSyncRequest,
    token: string,
    ctx: InvokeContext,
  ): Promise<RecordOutcome[]> {
    const body: Record<string, unknown> = { records: batch.map((r) => ({ fields: r.fields })) };
    if (req.mergeOn) body.performUpsert = { fieldsToMergeOn: req.mergeOn };
    if (this.options.typecast) body.typecast = true;
    const res = await httpRequest({
      method: req.mergeOn ? 'PATCH' : 'POST',
      url,
      headers: { authorization: `Bearer ${token}` },
      body,
      signal: ctx.signal,
      provider: this.name,
      sideEffects: true,
      secrets: [token],
    });
    // Airtable sends no rate-limit headers: only its 429 says the base is spent (5 requests/s), for 30 s.
    if (res.status === 429) {
      ctx.reportRateLimit?.({ window: '1s', remaining: 0, limit: 5, resetAt: this.deps.clock.now() + AIRTABLE_RATE_LIMIT_WAIT_MS });
    }
    const json = res.json as
      { records?: unknown; createdRecords?: unknown; updatedRecords?: unknown; error?: unknown; errors?: unknown } | undefined;
    if (res.status < 200 || res.status >= 300 || !json || json.error !== undefined || json.errors !== undefined) {
      throw mapAirtableError(res, {
        provider: this.name,
        now: this.deps.clock.now(),
        secrets: [token],
        tableFromRequest: req.object !== undefined,
      });
    }
    const records = Array.isArray(json.records) ? (json.records as { id?: unknown }[]) : [];
    if (records.length !== batch.length) {
      throw new GatewayError('GW_PROVIDER_BAD_RESPONSE', `Airtable returned ${records.length} records for a batch of ${batch.length}`, {
        provider: this.name,
        status: res.status,
      });
    }
    // A plain create answers `records` only: every one of them is new.
    if (!req.mergeOn)
      return records.map((r, i) => ({ index: offset + i, ...(typeof r?.id === 'string' ? { id: r.id } : {}), status: 'created' }));
    const created = Array.isArray(json.createdRecords) ? new Set(json.createdRecords as unknown[]) : undefined;
    const updated = Array.isArray(json.updatedRecords) ? new Set(json.updatedRecords as unknown[]) : undefined;
    return records.map((r, i) => {
      const id = typeof r?.id === 'string' ? r.id : undefined;
      // createdRecords is authoritative; without it, anything not listed as updated was created.
      const isCreated = created ? created.has(id) : updated ? !updated.has(id) : false;
      return { index: offset + i, ...(id ? { id } : {}), status: isCreated ? 'created' : 'updated' };
    });
  }

  private root(): string {
    return `${this.options.baseUrl.replace(/\/+$/, '')}/${this.options.apiVersion}`;
  }

  private requireToken(): string {
    if (!this.options.apiToken) {
      throw new GatewayError('GW_NOT_CONFIGURED', `Airtable provider ${this.name} has no apiToken`, {
        provider: this.name,
        details: { settings: ['apiToken'] },
      });
    }
    return this.options.apiToken;
  }
}
