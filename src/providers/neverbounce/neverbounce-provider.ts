/**
 * NeverBounce adapter. `v4.2` (default): `POST {baseUrl}/v4.2/single/check` with a JSON body
 * `{key, email}`, as the official Node SDK v5. `v4`: `GET {baseUrl}/v4/single/check?key=&email=`,
 * as the reference docs. Probe: `account/info` the same way (no credit used).
 */
import type {
  EmailVerificationBatchResult,
  EmailVerificationRequest,
  EmailVerificationResult,
} from '../../capabilities/email-verification.js';
import type { Clock } from '../../core/clock.js';
import { GatewayError } from '../../core/errors.js';
import type { InvokeContext, ProbeContext, ProbeResult, Provider } from '../../core/provider.js';
import { verifyEach } from '../batches.js';
import { httpRequest } from '../http/client.js';
import { neverBounceApiError, neverBounceHttpError } from './neverbounce-errors.js';
import { isNeverBounceCheck, toVerificationResult } from './neverbounce-result.js';
import type { NeverBounceOptions } from './options.js';

export class NeverBounceProvider implements Provider<EmailVerificationRequest, EmailVerificationResult | EmailVerificationBatchResult> {
  readonly type = 'neverbounce';

  constructor(
    readonly name: string,
    private readonly options: NeverBounceOptions,
    private readonly clock: Clock,
  ) {}

  /** One address, or each of `emails` in turn (NeverBounce's bulk API is a list job polled for minutes, not a call). */
  async invoke(request: EmailVerificationRequest, ctx: InvokeContext): Promise<EmailVerificationResult | EmailVerificationBatchResult> {
    if (request.emails) return verifyEach(request.emails, (email) => this.verify(email, ctx));
    return this.verify(request.email!, ctx);
  }

  private async verify(given: string, ctx: InvokeContext): Promise<EmailVerificationResult> {
    const email = given.trim();
    const params: Record<string, string> = { email };
    if (this.options.timeoutSeconds !== undefined) params.timeout = String(this.options.timeoutSeconds);
    const body = await this.call('single/check', params, ctx.signal);
    if (!isNeverBounceCheck(body)) throw this.badResponse('single/check');
    const result = toVerificationResult(body, email);
    ctx.logger.debug({ status: result.status, reasons: result.reasons }, 'neverbounce verified an address');
    return result;
  }

  async probe(ctx: ProbeContext): Promise<ProbeResult> {
    const body = (await this.call('account/info', {}, ctx.signal)) as Record<string, unknown>;
    const creditsInfo = numericFields(body.credits_info);
    const remainingKeys = Object.keys(creditsInfo).filter((k) => k.endsWith('_remaining'));
    const remaining = remainingKeys.reduce((sum, k) => sum + creditsInfo[k]!, 0);
    // The balance is the limit that matters here: reported as the `credits` window (no reset).
    if (remainingKeys.length > 0)
      ctx.reportRateLimit?.({ window: 'credits', remaining: Math.max(0, remaining), limit: null, resetAt: null });
    if (remainingKeys.length > 0 && remaining <= 0) {
      throw new GatewayError('GW_PROVIDER_QUOTA', 'NeverBounce account has no credits left', {
        provider: this.name,
        details: { providerCode: 'no_credits_remaining' },
      });
    }
    return {
      ...(remainingKeys.length > 0 ? { quotaAvailable: true } : {}),
      metadata: {
        apiVersion: this.options.apiVersion,
        ...(remainingKeys.length > 0 ? { creditsRemaining: remaining } : {}),
        creditsInfo,
        jobCounts: numericFields(body.job_counts),
      },
    };
  }

  /** One API call; returns a body whose `status` is `success`, or throws the mapped failure. */
  private async call(endpoint: string, params: Record<string, string>, signal: AbortSignal): Promise<unknown> {
    const key = this.options.apiKey;
    if (!key) {
      throw new GatewayError('GW_NOT_CONFIGURED', 'NeverBounce API key is not set (option apiKey, env NEVERBOUNCE_API_KEY)', {
        provider: this.name,
      });
    }
    const base = `${this.options.baseUrl.replace(/\/+$/, '')}/${this.options.apiVersion}/${endpoint}`;
    const common = { signal, provider: this.name, sideEffects: false, secrets: [key], headers: { 'user-agent': this.options.userAgent } };
    const res =
      this.options.apiVersion === 'v4.2'
        ? await httpRequest({ ...common, method: 'POST', url: base, body: { key, ...params } })
        : await httpRequest({ ...common, method: 'GET', url: `${base}?${new URLSearchParams({ key, ...params }).toString()}` });
    if (res.status !== 200) throw neverBounceHttpError(res.status, res.headers, this.clock.now(), this.name);
    const body = res.json as { status?: unknown; message?: unknown } | undefined;
    if (!body || typeof body !== 'object' || typeof body.status !== 'string') throw this.badResponse(endpoint);
    if (body.status !== 'success') throw neverBounceApiError({ status: body.status, message: body.message }, this.name, [key]);
    return body;
  }

  private badResponse(endpoint: string): GatewayError {
    return new GatewayError('GW_PROVIDER_BAD_RESPONSE', `NeverBounce ${endpoint} answered with an unexpected body`, {
      provider: this.name,
      details: { providerCode: 'bad_body' },
    });
  }
}

function numericFields(value: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (!value || typeof value !== 'object') return out;
  for (const [k, v] of Object.entries(value)) {
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (Number.isFinite(n)) out[k] = n;
  }
  return out;
}
