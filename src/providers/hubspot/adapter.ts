/**
 * HubSpot crm_sync adapter: `POST /crm/v3/objects/{object}/batch/upsert`, 100 inputs per call,
 * `new` -> created/updated, 207 errors -> per-record failures. A 409 "already exists. Existing
 * ID: N" is resolved by updating that object (`PATCH /crm/v3/objects/{object}/{N}`): a chunk
 * answered 409 is retried one input at a time so each conflict names its own existing id.
 */
import type { CrmSyncRequest, CrmSyncResult } from '../../capabilities/crm-sync.js';
import { GatewayError } from '../../core/errors.js';
import type { InvokeContext, ProbeContext, ProbeResult, Provider } from '../../core/provider.js';
import { httpRequest, type HttpResponse } from '../http/client.js';
import { scrubText } from '../http/scrub.js';
import type { ProviderDeps } from '../types.js';
import { runBatches, type RecordOutcome } from '../airtable/batch-runner.js';
import { readBatchAnswer } from './batch-result.js';
import { existingIdOf, mapHubSpotError } from './errors.js';
import { toUpsertInput, type UpsertInput } from './inputs.js';
import { HUBSPOT_BATCH_SIZE, objectsPath, type HubSpotOptions } from './options.js';
import { probeHubSpot } from './probe.js';
import { hubspotRateLimit, timeZoneOf } from './rate-limit.js';

/** Where the account's time zone is kept in the provider's state. */
const TIME_ZONE_KEY = 'account-time-zone';

interface Call {
  base: string;
  token: string;
  ctx: InvokeContext;
  objectFromRequest: boolean;
}

export class HubSpotProvider implements Provider<CrmSyncRequest, CrmSyncResult> {
  readonly type = 'hubspot';
  readonly deduplicates = true;
  /** The account's time zone, once read (see rate-limit.ts). */
  private timeZone: string | undefined;

  constructor(
    readonly name: string,
    private readonly options: HubSpotOptions,
    private readonly deps: ProviderDeps,
  ) {}

  async invoke(req: CrmSyncRequest, ctx: InvokeContext): Promise<CrmSyncResult> {
    const token = this.requireToken();
    if (req.mergeOn.length !== 1) {
      throw new GatewayError('GW_PROVIDER_REJECTED', 'HubSpot upserts on exactly one unique property: mergeOn must name one field', {
        provider: this.name,
        details: { field: 'mergeOn' },
      });
    }
    const idProperty = req.mergeOn[0]!;
    const call: Call = {
      base: objectsPath(this.options, req.object ?? this.options.object),
      token,
      ctx,
      objectFromRequest: req.object !== undefined,
    };
    return runBatches({
      items: req.records.map((r) => toUpsertInput(r.fields, idProperty)),
      size: HUBSPOT_BATCH_SIZE,
      provider: this.name,
      signal: ctx.signal,
      intervalMs: this.options.batchIntervalMs,
      sleep: (ms, signal) => this.deps.clock.sleep(ms, signal),
      write: (batch, offset) => this.upsertChunk(call, batch, offset),
    });
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
    const json = res.json as { status?: unknown; results?: unknown } | undefined;
    if (
      (res.status === 200 || res.status === 201 || res.status === 207) &&
      json &&
      json.status !== 'error' &&
      Array.isArray(json.results)
    ) {
      return readBatchAnswer(json, batch, offset).map((o) =>
        o.error ? { ...o, error: { ...o.error, message: scrubText(o.error.message, [call.token]) } } : o,
      );
    }
    if (res.status === 409) return this.resolveConflict(call, res, batch, offset);
    throw await this.mapError(call, res);
  }

  private async resolveConflict(call: Call, res: HttpResponse, batch: readonly UpsertInput[], offset: number): Promise<RecordOutcome[]> {
    if (batch.length > 1) {
      const one = await runBatches({
        items: batch,
        size: 1,
        provider: this.name,
        signal: call.ctx.signal,
        intervalMs: this.options.batchIntervalMs,
        sleep: (ms, signal) => this.deps.clock.sleep(ms, signal),
        write: (single, i) => this.upsertChunk(call, single, offset + i),
      });
      return one.records;
    }
    const existing = existingIdOf(res.json);
    if (!existing) throw await this.mapError(call, res);
    const patch = await this.send(call, 'PATCH', `${call.base}/${encodeURIComponent(existing)}`, { properties: batch[0]!.properties });
    if (patch.status !== 200) throw await this.mapError(call, patch);
    call.ctx.logger.debug({ provider: this.name, existingId: existing }, 'HubSpot 409 conflict resolved by updating the existing object');
    return [{ index: offset, id: existing, status: 'updated' }];
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
