/**
 * HubSpot crm_sync adapter: `POST /crm/v3/objects/{object}/batch/upsert`, 100 inputs per call,
 * `new` -> created/updated, 207 errors -> per-record failures. A 409 "already exists. Existing
 * ID: N" is resolved by updating that object (`PATCH /crm/v3/objects/{object}/{N}`): a chunk
 * answered 409 is retried one input at a time so each conflict names its own existing id.
 * Without `mergeOn` the records are created (`batch/create`); a 409 there is the record's own
 * failure (the caller asked for a new object), found one input at a time as well.
 */
import {
  crmSyncResultOf,
  type CrmRecordOutcome as RecordOutcome,
  type CrmSyncRequest,
  type CrmSyncResult,
} from '../../capabilities/crm-sync.js';
import { GatewayError } from '../../core/errors.js';
import type { InvokeContext, ProbeContext, ProbeResult, Provider } from '../../core/provider.js';
import { httpRequest, type HttpResponse } from '../http/client.js';
import { scrubText } from '../http/scrub.js';
import type { ProviderDeps } from '../types.js';
import { runBatches } from '../batches.js';
import { readBatchAnswer, readCreateAnswer } from './batch-result.js';
import { existingIdOf, mapHubSpotError } from './errors.js';
import { toCreateInput, toUpsertInput, type CreateInput, type UpsertInput } from './inputs.js';
import { HUBSPOT_BATCH_SIZE, objectsPath, type HubSpotOptions } from './options.js';
import { probeHubSpot } from './probe.js';
import { hubspotRateLimit, timeZoneOf } from './rate-limit.js';

/** Where the account's time zone is kept in the provider's state. */
const TIME_ZONE_KEY = 'account-time-zone';

/** 200/201 COMPLETE or 207 Multi-Status with a results list: an answer per input (see batch-result.ts). */
function isBatchAnswer(res: HttpResponse): boolean {
  const json = res.json as { status?: unknown; results?: unknown } | undefined;
  return (
    (res.status === 200 || res.status === 201 || res.status === 207) && !!json && json.status !== 'error' && Array.isArray(json.results)
  );
}

/** Per-record error messages come from HubSpot: the token never shows in them. */
function scrubbed(outcomes: RecordOutcome[], token: string): RecordOutcome[] {
  return outcomes.map((o) => (o.error ? { ...o, error: { ...o.error, message: scrubText(o.error.message, [token]) } } : o));
}

interface Call {
  base: string;
  token: string;
  ctx: InvokeContext;
  objectFromRequest: boolean;
}

export class HubSpotProvider implements Provider<CrmSyncRequest, CrmSyncResult> {
  readonly type = 'hubspot';
  /** The account's time zone, once read (see rate-limit.ts). */
  private timeZone: string | undefined;

  constructor(
    readonly name: string,
    private readonly options: HubSpotOptions,
    private readonly deps: ProviderDeps,
  ) {}

  /** An upsert matches on its id property, so repeating it creates nothing twice; a create would. */
  deduplicatesRequest(req: CrmSyncRequest): boolean {
    return req.mergeOn !== undefined;
  }

  async invoke(req: CrmSyncRequest, ctx: InvokeContext): Promise<CrmSyncResult> {
    const token = this.requireToken();
    const call: Call = {
      base: objectsPath(this.options, req.object ?? this.options.object),
      token,
      ctx,
      objectFromRequest: req.object !== undefined,
    };
    if (!req.mergeOn) {
      return this.inBatches(
        call,
        req.records.map((r, i) => toCreateInput(r.fields, i)),
        HUBSPOT_BATCH_SIZE,
        (batch, offset) => this.createChunk(call, batch, offset),
      );
    }
    if (req.mergeOn.length !== 1) {
      throw new GatewayError('GW_PROVIDER_REJECTED', 'HubSpot upserts on exactly one unique property: mergeOn must name one field', {
        provider: this.name,
        details: { field: 'mergeOn' },
      });
    }
    const idProperty = req.mergeOn[0]!;
    return this.inBatches(
      call,
      req.records.map((r) => toUpsertInput(r.fields, idProperty)),
      HUBSPOT_BATCH_SIZE,
      (batch, offset) => this.upsertChunk(call, batch, offset),
    );
  }

  /** Sequential batches of `size`, spaced by batchIntervalMs, under the call's signal. */
  private async inBatches<T>(
    call: Call,
    items: readonly T[],
    size: number,
    write: (batch: readonly T[], offset: number) => Promise<RecordOutcome[]>,
  ): Promise<CrmSyncResult> {
    const records = await runBatches({
      items,
      size,
      provider: this.name,
      signal: call.ctx.signal,
      intervalMs: this.options.batchIntervalMs,
      sleep: (ms, s) => this.deps.clock.sleep(ms, s),
      write,
      failed: (index, error): RecordOutcome => ({ index, status: 'failed', error }),
    });
    return crmSyncResultOf(records);
  }

  /**
   * The account's IANA time zone from `GET /account-info/v3/details`, read once and kept in the
   * provider's state; undefined (UTC is used) when HubSpot does not say.
   */
  private async accountTimeZone(call: Call): Promise<string | undefined> {
    this.timeZone ??= await this.deps.state.get<string>(TIME_ZONE_KEY);
    if (this.timeZone) return this.timeZone;
    try {
      const res = await httpRequest({
        method: 'GET',
        url: `${this.options.baseUrl.replace(/\/+$/, '')}/account-info/v3/details`,
        headers: { authorization: `Bearer ${call.token}` },
        signal: call.ctx.signal,
        provider: this.name,
        sideEffects: false,
        secrets: [call.token],
      });
      this.timeZone = res.status === 200 ? timeZoneOf(res.json) : undefined;
      if (this.timeZone) await this.deps.state.set(TIME_ZONE_KEY, this.timeZone);
      else
        call.ctx.logger.warn(
          { provider: this.name, status: res.status },
          'HubSpot account time zone unknown: the daily reset is taken as UTC midnight',
        );
    } catch (error) {
      call.ctx.logger.warn(
        { provider: this.name, reason: error instanceof Error ? error.message : String(error) },
        'HubSpot account details unreachable',
      );
    }
    return this.timeZone;
  }

  async probe(ctx: ProbeContext): Promise<ProbeResult> {
    return probeHubSpot({
      base: objectsPath(this.options, this.options.object),
      token: this.requireToken(),
      provider: this.name,
      signal: ctx.signal,
      now: this.deps.clock.now(),
    });
  }

  private async upsertChunk(call: Call, batch: readonly UpsertInput[], offset: number): Promise<RecordOutcome[]> {
    const res = await this.send(call, 'POST', `${call.base}/batch/upsert`, { inputs: batch });
    if (isBatchAnswer(res)) return scrubbed(readBatchAnswer(res.json, batch, offset), call.token);
    if (res.status === 409) return this.resolveConflict(call, res, batch, offset);
    throw await this.mapError(call, res);
  }

  private async resolveConflict(call: Call, res: HttpResponse, batch: readonly UpsertInput[], offset: number): Promise<RecordOutcome[]> {
    if (batch.length > 1) return (await this.inBatches(call, batch, 1, (single, i) => this.upsertChunk(call, single, offset + i))).records;
    const existing = existingIdOf(res.json);
    if (!existing) throw await this.mapError(call, res);
    const patch = await this.send(call, 'PATCH', `${call.base}/${encodeURIComponent(existing)}`, { properties: batch[0]!.properties });
    if (patch.status !== 200) throw await this.mapError(call, patch);
    call.ctx.logger.debug({ provider: this.name, existingId: existing }, 'HubSpot 409 conflict resolved by updating the existing object');
    return [{ index: offset, id: existing, status: 'updated' }];
  }

  private async createChunk(call: Call, batch: readonly CreateInput[], offset: number): Promise<RecordOutcome[]> {
    const res = await this.send(call, 'POST', `${call.base}/batch/create`, { inputs: batch });
    if (isBatchAnswer(res)) return scrubbed(readCreateAnswer(res.json, batch, offset), call.token);
    // A 409 refuses the whole chunk for one existing object: one input at a time, each conflict fails only its record.
    if (res.status === 409 && batch.length > 1) {
      return (await this.inBatches(call, batch, 1, (single, i) => this.createChunk(call, single, offset + i))).records;
    }
    throw await this.mapError(call, res);
  }

  /** One call; every answer's rate-limit headers are reported to the engine. */
  private async send(call: Call, method: 'POST' | 'PATCH', url: string, body: unknown): Promise<HttpResponse> {
    const res = await httpRequest({
      method,
      url,
      headers: { authorization: `Bearer ${call.token}` },
      body,
      signal: call.ctx.signal,
      provider: this.name,
      sideEffects: true,
      secrets: [call.token],
    });
    const state = hubspotRateLimit(res.headers, this.deps.clock.now(), this.timeZone);
    if (state) call.ctx.reportRateLimit?.(state);
    return res;
  }

  /** The error of an answer; a daily-limit 429 first learns the account's time zone (its reset is local midnight). */
  private async mapError(call: Call, res: HttpResponse): Promise<GatewayError> {
    const daily = res.status === 429 && (res.json as { policyName?: unknown } | undefined)?.policyName === 'DAILY';
    return mapHubSpotError(res, {
      provider: this.name,
      now: this.deps.clock.now(),
      secrets: [call.token],
      objectFromRequest: call.objectFromRequest,
      timeZone: daily ? await this.accountTimeZone(call) : this.timeZone,
    });
  }

  private requireToken(): string {
    if (!this.options.accessToken) {
      throw new GatewayError('GW_NOT_CONFIGURED', `HubSpot provider ${this.name} has no accessToken`, {
        provider: this.name,
        details: { settings: ['accessToken'] },
      });
    }
    return this.options.accessToken;
  }
}
