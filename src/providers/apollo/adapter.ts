/**
 * Apollo lead_enrichment adapter: `POST /people/match` for one person; a `people` request goes
 * through `POST /people/bulk_match`, 10 people per call, one call after the other (a failing
 * call after others succeeded gives a partial result, see ../batches.ts). No match is a result
 * (`matched: false`), not an error. Auth is the `X-Api-Key` header, never a Bearer token.
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
import { GatewayError } from '../../core/errors.js';
import type { InvokeContext, ProbeContext, ProbeResult, Provider } from '../../core/provider.js';
import { runBatches } from '../batches.js';
import { httpRequest, type HttpResponse } from '../http/client.js';
import type { ProviderDeps } from '../types.js';
import { mapApolloError } from './errors.js';
import { normaliseApolloPerson } from './normalise.js';
import { APOLLO_BULK_SIZE, type ApolloOptions } from './options.js';
import { toApolloParams, toQuery, type ApolloParams } from './params.js';
import { probeApollo } from './probe.js';
import { apolloRateLimit } from './retry-after.js';

/** What one call needs from its invocation: the signal, and where to report the rate-limit state. */
type CallContext = Pick<InvokeContext, 'signal' | 'reportRateLimit'>;

export class ApolloProvider implements Provider<LeadEnrichmentRequest, LeadEnrichmentResult | LeadEnrichmentBatchResult> {
  readonly type = 'apollo';

  constructor(
    readonly name: string,
    private readonly options: ApolloOptions,
    private readonly deps: ProviderDeps,
  ) {}

  async invoke(req: LeadEnrichmentRequest, ctx: InvokeContext): Promise<LeadEnrichmentResult | LeadEnrichmentBatchResult> {
    if (req.people) return this.enrichPeople(req.people, ctx);
    const identity = toApolloParams(req);
    // The reveal flags go in the query string, as the reference sends them, here and for bulk_match.
    const res =
      this.options.paramsIn === 'query'
        ? await this.call('POST', `/people/match${toQuery({ ...identity, ...this.revealFlags() })}`, undefined, ctx)
        : await this.call('POST', `/people/match${toQuery(this.revealFlags())}`, identity, ctx);
    const json = this.expectOk(res, '/people/match');
    return normaliseApolloPerson(json.person, this.name);
  }

  /** Every person of a `people` request, 10 per `bulk_match` call; outcomes in request order. */
  private async enrichPeople(people: readonly LeadEnrichmentPerson[], ctx: InvokeContext): Promise<LeadEnrichmentBatchResult> {
    const outcomes = await runBatches({
      items: people,
      size: APOLLO_BULK_SIZE,
      provider: this.name,
      signal: ctx.signal,
      intervalMs: 0,
      sleep: (ms, signal) => this.deps.clock.sleep(ms, signal),
      write: async (batch, offset) => (await this.bulkMatch(batch, ctx)).map((r, i) => personOutcome(offset + i, r)),
      failed: (index, error): PersonOutcome => ({ index, status: 'failed', error }),
    });
    return leadEnrichmentBatchResultOf(outcomes);
  }

  /** Up to 10 people in one `bulk_match` call; Apollo answers `matches` in input order (null: no match). */
  private async bulkMatch(people: readonly LeadEnrichmentPerson[], ctx: CallContext): Promise<LeadEnrichmentResult[]> {
    const details = people.map((p) => toApolloParams(p));
    const res = await this.call('POST', `/people/bulk_match${toQuery(this.revealFlags())}`, { details }, ctx);
    const json = this.expectOk(res, '/people/bulk_match');
    const matches = Array.isArray(json.matches) ? (json.matches as unknown[]) : [];
    if (matches.length !== people.length) {
      throw new GatewayError(
        'GW_PROVIDER_BAD_RESPONSE',
        `Apollo bulk_match answered ${matches.length} matches for ${people.length} people`,
        {
          provider: this.name,
          status: res.status,
        },
      );
    }
    return matches.map((m) => normaliseApolloPerson(m, this.name));
  }

  async probe(ctx: ProbeContext): Promise<ProbeResult> {
    return probeApollo((m, e, b, signal) => this.call(m, e, b, { signal, reportRateLimit: ctx.reportRateLimit }), {
      provider: this.name,
      signal: ctx.signal,
      now: this.deps.clock.now(),
      secrets: [this.options.apiKey],
    });
  }

  private expectOk(res: HttpResponse, endpoint: string): Record<string, unknown> {
    const json = res.json;
    const ok = res.status === 200 && typeof json === 'object' && json !== null && !Array.isArray(json);
    const body = (ok ? json : {}) as Record<string, unknown>;
    // A 200 can still carry an error (bulk answers have error_code / error_message).
    if (ok && !body.error && !body.error_code) return body;
    throw mapApolloError(res, { provider: this.name, now: this.deps.clock.now(), secrets: [this.options.apiKey], endpoint });
  }

  /** Personal emails only when configured; phone numbers never (Apollo delivers them to a webhook). */
  private revealFlags(): ApolloParams {
    return { reveal_personal_emails: this.options.revealPersonalEmails, reveal_phone_number: false };
  }

  /** One call; every answer's rate-limit headers (success too) are reported to the engine. */
  private async call(method: 'GET' | 'POST', endpoint: string, body: unknown, ctx: CallContext): Promise<HttpResponse> {
    const key = this.options.apiKey;
    if (!key) {
      throw new GatewayError('GW_NOT_CONFIGURED', `Apollo provider ${this.name} has no apiKey`, {
        provider: this.name,
        details: { settings: ['apiKey'] },
      });
    }
    const res = await httpRequest({
      method,
      url: `${this.options.baseUrl.replace(/\/+$/, '')}${endpoint}`,
      headers: {
        'x-api-key': key,
        'cache-control': 'no-cache',
        ...(method === 'POST' && body === undefined ? { 'content-type': 'application/json' } : {}),
      },
      body,
      signal: ctx.signal,
      provider: this.name,
      sideEffects: false,
      secrets: [key],
    });
    const state = apolloRateLimit(res.headers, this.deps.clock.now());
    if (state) ctx.reportRateLimit?.(state);
    return res;
  }
}
