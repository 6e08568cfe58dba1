/**
 * Dropcontact lead_enrichment adapter (current v1 API): submit `POST /v1/enrich/all`, then
 * poll `GET /v1/enrich/all/{request_id}` until ready. The request id is stored in the
 * provider state under the idempotency key *before* polling, so a retry of the same
 * invocation resumes polling instead of submitting (and paying) again.
 */
import type { LeadEnrichmentRequest, LeadEnrichmentResult } from '../../capabilities/lead-enrichment.js';
import { GatewayError, isGatewayError } from '../../core/errors.js';
import type { InvokeContext, ProbeContext, ProbeResult, Provider } from '../../core/provider.js';
import { httpRequest, type HttpResponse } from '../http/client.js';
import type { ProviderDeps } from '../types.js';
import { mapDropcontactError } from './errors.js';
import { DROPCONTACT_RESULT_TTL_MS, type DropcontactOptions } from './options.js';
import { pollForResult } from './poll.js';
import { probeDropcontact } from './probe.js';
import { normaliseEnrichedRecord, toInputRecord } from './record.js';
import type { PendingRequest } from './types.js';

/** Kinds after which a stored request id is kept for the next attempt. */
const RESUMABLE = new Set(['timeout', 'transient', 'rate_limited']);

export class DropcontactProvider implements Provider<LeadEnrichmentRequest, LeadEnrichmentResult> {
  readonly type = 'dropcontact';

  constructor(
    readonly name: string,
    private readonly options: DropcontactOptions,
    private readonly deps: ProviderDeps,
  ) {}

  static stateKey(idempotencyKey: string): string {
    return `enrich-request:${idempotencyKey}`;
  }

  async invoke(req: LeadEnrichmentRequest, ctx: InvokeContext): Promise<LeadEnrichmentResult> {
    const key = DropcontactProvider.stateKey(ctx.idempotencyKey);
    const stored = await this.deps.state.get<PendingRequest>(key);
    const fresh = stored && this.deps.clock.now() - stored.submittedAt < DROPCONTACT_RESULT_TTL_MS ? stored : undefined;
    let requestId = fresh?.requestId;
    if (requestId) {
      ctx.logger.debug({ provider: this.name, requestId }, 'Dropcontact: resuming polling of a request submitted by an earlier attempt');
    } else {
      requestId = await this.submit(toInputRecord(req), ctx.signal);
      await this.deps.state.set(key, { requestId, submittedAt: this.deps.clock.now() } satisfies PendingRequest);
    }
    try {
      const record = await pollForResult({
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
      return normaliseEnrichedRecord(record, this.name);
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

  private async submit(record: Record<string, string>, signal: AbortSignal): Promise<string> {
    const path = `/${this.options.apiVersion}/enrich/all`;
    const res = await this.call('POST', path, { data: [record], siren: this.options.siren, language: this.options.language }, signal);
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
