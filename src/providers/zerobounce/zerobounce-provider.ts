/**
 * ZeroBounce adapter: `GET {baseUrl}/v2/validate?api_key=&email=&ip_address=`; probe
 * `GET /v2/getcredits?api_key=` (free). The key travels in the query string, so every URL that
 * might be shown goes through scrubUrl (inside httpRequest) and every provider text through scrubText.
 */
import type { EmailVerificationRequest, EmailVerificationResult } from '../../capabilities/email-verification.js';
import type { Clock } from '../../core/clock.js';
import { GatewayError } from '../../core/errors.js';
import type { InvokeContext, ProbeContext, ProbeResult, Provider } from '../../core/provider.js';
import { httpRequest } from '../http/client.js';
import { zeroBounceBaseUrl, type ZeroBounceOptions } from './options.js';
import { classifyErrorText, errorTextOf, zeroBounceError, zeroBounceHttpError } from './zerobounce-errors.js';
import { isZeroBounceValidation, toVerificationResult } from './zerobounce-result.js';

export class ZeroBounceProvider implements Provider<EmailVerificationRequest, EmailVerificationResult> {
  readonly type = 'zerobounce';
  private readonly baseUrl: string;

  constructor(
    readonly name: string,
    private readonly options: ZeroBounceOptions,
    private readonly clock: Clock,
  ) {
    this.baseUrl = zeroBounceBaseUrl(options);
  }

  async invoke(request: EmailVerificationRequest, ctx: InvokeContext): Promise<EmailVerificationResult> {
    const params: Record<string, string> = { email: request.email.trim(), ip_address: this.options.ipAddress };
    if (this.options.timeoutSeconds !== undefined) params.timeout = String(this.options.timeoutSeconds);
    const body = await this.get('/v2/validate', params, ctx.signal);
    const text = errorTextOf(body);
    if (text !== undefined) throw await this.bodyError(text, ctx.signal);
    if (!isZeroBounceValidation(body)) throw this.badResponse('validate');
    const result = toVerificationResult(body, request.email.trim());
    ctx.logger.debug({ status: result.status, reasons: result.reasons }, 'zerobounce verified an address');
    return result;
  }

  async probe(ctx: ProbeContext): Promise<ProbeResult> {
    const credits = await this.credits(ctx.signal);
    // The balance is the limit that matters here: reported as the `credits` window (no reset).
    if (credits >= 0) ctx.reportRateLimit?.({ window: 'credits', remaining: credits, limit: null, resetAt: null });
    if (credits === -1) throw zeroBounceError('auth', this.name, undefined, [], { providerCode: 'credits_-1' });
    if (credits <= 0) throw zeroBounceError('quota', this.name, undefined, [], { providerCode: 'credits_0' });
    return { metadata: { credits, baseUrl: this.baseUrl }, quotaAvailable: true };
  }

  /** `{"Credits":"2375323"}` or a number; -1 means the key is invalid. */
  private async credits(signal: AbortSignal): Promise<number> {
    const body = await this.get('/v2/getcredits', {}, signal);
    const text = errorTextOf(body);
    const raw = body && typeof body === 'object' ? (body as { Credits?: unknown }).Credits : undefined;
    const credits = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
    if (Number.isFinite(credits)) return credits;
    if (text !== undefined) throw await this.bodyError(text, signal, false);
    throw this.badResponse('getcredits');
  }

  /**
   * An HTTP-200 error body. The ambiguous "invalid key or out of credits" is settled with a
   * getcredits call (-1: auth, 0: quota); if that fails too, auth is reported (the operator must act either way).
   */
  private async bodyError(text: string, signal: AbortSignal, disambiguate = true): Promise<GatewayError> {
    const secrets = [this.options.apiKey];
    const cls = classifyErrorText(text);
    if (cls !== 'key_or_credits') return zeroBounceError(cls, this.name, text, secrets);
    if (disambiguate && !signal.aborted) {
      const credits = await this.credits(signal).catch(() => undefined);
      if (credits !== undefined && credits !== -1 && credits <= 0) {
        return zeroBounceError('quota', this.name, text, secrets, { providerCode: 'out_of_credits' });
      }
      if (credits === -1) return zeroBounceError('auth', this.name, text, secrets, { providerCode: 'invalid_api_key' });
    }
    return zeroBounceError('auth', this.name, text, secrets, { providerCode: 'invalid_key_or_no_credits' });
  }

  private async get(path: string, params: Record<string, string>, signal: AbortSignal): Promise<unknown> {
    const apiKey = this.options.apiKey;
    if (!apiKey) {
      throw new GatewayError('GW_NOT_CONFIGURED', 'ZeroBounce API key is not set (option apiKey, env ZEROBOUNCE_API_KEY)', {
        provider: this.name,
      });
    }
    const url = `${this.baseUrl}${path}?${new URLSearchParams({ api_key: apiKey, ...params }).toString()}`;
    const res = await httpRequest({ method: 'GET', url, signal, provider: this.name, sideEffects: false, secrets: [apiKey] });
    if (res.status !== 200) throw zeroBounceHttpError(res.status, res.headers, this.clock.now(), this.name);
    if (res.json === undefined) throw this.badResponse(path.slice(4));
    return res.json;
  }

  private badResponse(endpoint: string): GatewayError {
    return new GatewayError('GW_PROVIDER_BAD_RESPONSE', `ZeroBounce ${endpoint} answered with an unexpected body`, {
      provider: this.name,
      details: { providerCode: 'bad_body' },
    });
  }
}
