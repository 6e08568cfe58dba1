/**
 * Dropcontact lead_enrichment adapter (current v1 API): submit `POST /v1/enrich/all` (one
 * person, or up to 250 of a `people` request in one submit), then poll
 * `GET /v1/enrich/all/{request_id}` until ready, waiting what each "not ready" answer asks.
 * The request id is stored in the provider state under the idempotency key (and the submit's
 * position) *before* polling, so a retry of the same invocation resumes polling instead of
 * submitting (and paying) again.
 */
import {
  leadEnrichmentBatchResultOf,
  personOutcome,
  type LeadEnrichmentBatchResult,
  type LeadEnrichmentPerson,
  type LeadEnrichmentRequest,
  type LeadEnrichmentResult,
  type PersonOutcome,
} from '../../capabilities/lead-enrichment.js';
import { GatewayError, isGatewayError } from '../../core/errors.js';
import type { InvokeContext, ProbeContext, ProbeResult, Provider } from '../../core/provider.js';
import { runBatches } from '../batches.js';
import { httpRequest, type HttpResponse } from '../http/client.js';
import type { ProviderDeps } from '../types.js';
import { mapDropcontactError } from './errors.js';
import { DROPCONTACT_RESULT_TTL_MS, DROPCONTACT_SUBMIT_MAX, type DropcontactOptions } from './options.js';
import { pollForResult } from './poll.js';
import { probeDropcontact } from './probe.js';
import { normaliseEnrichedRecord, toInputRecord } from './record.js';
import type { PendingRequest } from './types.js';

/** Kinds after which a stored request id is kept for the next attempt. */
const RESUMABLE = new Set(['timeout', 'transient', 'rate_limited']);

export class DropcontactProvider implements Provider<LeadEnrichmentRequest, LeadEnrichmentResult | LeadEnrichmentBatchResult> {
  readonly type = 'dropcontact';

  constructor(
    readonly name: string,
    private readonly options: DropcontactOptions,
    private readonly deps: ProviderDeps,
  ) {}

  /** Where the request id of a submit is kept: by idempotency key, and the submit's first position in a `people` request. */
  static stateKey(idempotencyKey: string, offset?: number): string {
    return offset === undefined ? `enrich-request:${idempotencyKey}` : `enrich-request:${idempotencyKey}#${offset}`;
  }

  async invoke(req: LeadEnrichmentRequest, ctx: InvokeContext): Promise<LeadEnrichmentResult | LeadEnrichmentBatchResult> {
    if (!req.people) {
      const [record] = await this.enrich([req], DropcontactProvider.stateKey(ctx.idempotencyKey), ctx);
      return normaliseEnrichedRecord(record, this.name);
    }
    const outcomes = await runBatches({
      items: req.people,
      size: DROPCONTACT_SUBMIT_MAX,
      provider: this.name,
      signal: ctx.signal,
      intervalMs: 0,
      sleep: (ms, signal) => this.deps.clock.sleep(ms, signal),
      write: async (people, offset) => {
        const records = await this.enrich(people, DropcontactProvider.stateKey(ctx.idempotencyKey, offset), ctx);
        return records.map((r, i) => personOutcome(offset + i, normaliseEnrichedRecord(r, this.name)));
      },
      failed: (index, error): PersonOutcome => ({ index, status: 'failed', error }),
    });
    return leadEnrichmentBatchResultOf(outcomes);
  }

  /** One submit of `people` (or the resumed one stored under `key`), polled until its records are ready. */
  private async enrich(people: readonly LeadEnrichmentPerson[], key: string, ctx: InvokeContext): Promise<unknown[]> {
    const stored = await this.deps.state.get<PendingRequest>(key);
    const fresh = stored && this.deps.clock.now() - stored.submittedAt < DROPCONTACT_RESULT_TTL_MS ? stored : undefined;
    let requestId = fresh?.requestId;
    if (requestId) {
      ctx.logger.debug({ provider: this.name, requestId }, 'Dropcontact: resuming polling of a request submitted by an earlier attempt');
    } else {
      requestId = await this.submit(people.map(toInputRecord), ctx.signal);
      await this.deps.state.set(key, { requestId, submittedAt: this.deps.clock.now() } satisfies PendingRequest);
    }
    try {
      const records = await pollForResult({
        call: (m, p, b, s) => this.call(m, p, b, s),
        path: `/${this.options.apiVersion}/enrich/all/${encodeURIComponent(requestId)}`,
        firstWaitMs: fresh ? 0 : this.options.pollIntervalMs,
        intervalMs: this.options.pollIntervalMs,
        deadline: ctx.deadline,
        signal: ctx.signal,
        clock: this.deps.clock,
        mapError: (res, endpoint) => this.mapError(res, endpoint),
        provider: this.name,
      });
      await this.deps.state.delete(key);
      if (records.length !== people.length) {
        throw new GatewayError(
          'GW_PROVIDER_BAD_RESPONSE',
          `Dropcontact returned ${records.length} records for ${people.length} submitted`,
          {
            provider: this.name,
          },
        );
      }
      return records;
    } catch (error) {
      if (!isGatewayError(error) || !RESUMABLE.has(error.kind)) await this.deps.state.delete(key);
      throw error;
    }
  }

  async probe(ctx: ProbeContext): Promise<ProbeResult> {
    return probeDropcontact(
      (m, p, b, s) => this.call(m, p, b, s),
      `/${this.options.apiVersion}/account/credits`,
      ctx.signal,
      (res, e) => this.mapError(res, e),
      this.name,
    );
  }

  private async submit(records: Record<string, string>[], signal: AbortSignal): Promise<string> {
    const path = `/${this.options.apiVersion}/enrich/all`;
    const res = await this.call('POST', path, { data: records, siren: this.options.siren, language: this.options.language }, signal);
    const json = res.json as { request_id?: unknown; success?: unknown; error?: unknown } | undefined;
    if (res.status === 200 && typeof json?.request_id === 'string' && json.request_id && json.error !== true && json.success !== false)
      return json.request_id;
    throw this.mapError(res, path);
  }

  private mapError(res: HttpResponse, endpoint: string): GatewayError {
    return mapDropcontactError(res, { provider: this.name, now: this.deps.clock.now(), secrets: [this.options.apiKey], endpoint });
  }

  private async call(method: 'GET' | 'POST', path: string, body: unknown, signal: AbortSignal): Promise<HttpResponse> {
    const key = this.options.apiKey;
    if (!key) {
      throw new GatewayError('GW_NOT_CONFIGURED', `Dropcontact provider ${this.name} has no apiKey`, {
        provider: this.name,
        details: { settings: ['apiKey'] },
      });
    }
    return httpRequest({
      method,
      url: `${this.options.baseUrl.replace(/\/+$/, '')}${path}`,
      headers: { 'x-access-token': key },
      body,
      signal,
      provider: this.name,
      sideEffects: false,
      secrets: [key],
    });
  }
}
