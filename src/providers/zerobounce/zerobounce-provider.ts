/**
 * ZeroBounce adapter: `GET {baseUrl}/v2/validate?api_key=&email=&ip_address=`; an `emails`
 * request (up to 200) is one `POST {bulkBaseUrl}/v2/validatebatch` with a JSON body
 * `{api_key, email_batch: [{email_address, ip_address}]}`, at most `batchPerMinute` (5) a minute
 * on this instance (past that ZeroBounce blocks the caller for 10 minutes, so the batch is
 * refused locally and goes to the next verifier); probe `GET /v2/getcredits?api_key=` (free).
 * The key travels in the query string, so every URL that might be shown goes through scrubUrl
 * (inside httpRequest) and every provider text through scrubText.
 */
import {
  emailVerificationBatchResultOf,
  type AddressOutcome,
  type EmailVerificationBatchResult,
  type EmailVerificationRequest,
  type EmailVerificationResult,
} from '../../capabilities/email-verification.js';
import type { Clock } from '../../core/clock.js';
import { GatewayError } from '../../core/errors.js';
import type { InvokeContext, ProbeContext, ProbeResult, Provider } from '../../core/provider.js';
import { httpRequest } from '../http/client.js';
import { scrubText } from '../http/scrub.js';
import { zeroBounceBaseUrl, zeroBounceBulkUrl, type ZeroBounceOptions } from './options.js';
import { classifyErrorText, errorTextOf, zeroBounceError, zeroBounceHttpError } from './zerobounce-errors.js';
import { isZeroBounceValidation, toVerificationResult } from './zerobounce-result.js';

export class ZeroBounceProvider implements Provider<EmailVerificationRequest, EmailVerificationResult | EmailVerificationBatchResult> {
  readonly type = 'zerobounce';
  private readonly baseUrl: string;
  /** When the batch calls of the last minute started. */
  private batchCalls: number[] = [];

  constructor(
    readonly name: string,
    private readonly options: ZeroBounceOptions,
    private readonly clock: Clock,
  ) {
    this.baseUrl = zeroBounceBaseUrl(options);
  }

  async invoke(request: EmailVerificationRequest, ctx: InvokeContext): Promise<EmailVerificationResult | EmailVerificationBatchResult> {
    if (request.emails) return this.validateBatch(request.emails, ctx);
    const email = request.email!.trim();
    const params: Record<string, string> = { email, ip_address: this.options.ipAddress };
    if (this.options.timeoutSeconds !== undefined) params.timeout = String(this.options.timeoutSeconds);
    const body = await this.get('/v2/validate', params, ctx.signal);
    const text = errorTextOf(body);
    if (text !== undefined) throw await this.bodyError(text, ctx.signal);
    if (!isZeroBounceValidation(body)) throw this.badResponse('validate');
    const result = toVerificationResult(body, email);
    ctx.logger.debug({ status: result.status, reasons: result.reasons }, 'zerobounce verified an address');
    return result;
  }

  /**
   * One batch call. ZeroBounce answers `{email_batch: [validations], errors: [{email_address,
   * error}]}`; an error for `all` (a bad key, no credits) fails the call, an error for one
   * address fails that address.
   */
  private async validateBatch(emails: readonly string[], ctx: InvokeContext): Promise<EmailVerificationBatchResult> {
    const apiKey = this.requireKey();
    this.takeBatchTurn();
    const trimmed = emails.map((e) => e.trim());
    const res = await httpRequest({
      method: 'POST',
      url: `${zeroBounceBulkUrl(this.options)}/v2/validatebatch`,
      body: { api_key: apiKey, email_batch: trimmed.map((email_address) => ({ email_address, ip_address: this.options.ipAddress })) },
      signal: ctx.signal,
      provider: this.name,
      sideEffects: false,
      secrets: [apiKey],
    });
    if (res.status !== 200) throw zeroBounceHttpError(res.status, res.headers, this.clock.now(), this.name);
    const body = res.json as { email_batch?: unknown; errors?: unknown } | undefined;
    const errors = Array.isArray(body?.errors) ? (body.errors as { email_address?: unknown; error?: unknown }[]) : [];
    const whole = errors.find((e) => e.email_address === 'all');
    if (whole) throw await this.bodyError(String(whole.error), ctx.signal);
    if (!body || !Array.isArray(body.email_batch)) {
      const text = errorTextOf(body); // a plain error body, as single calls get
      throw text === undefined ? this.badResponse('validatebatch') : await this.bodyError(text, ctx.signal);
    }
    // Matched by address (the order is not promised); an address asked twice takes two answers.
    const answers = (body.email_batch as unknown[]).filter(isZeroBounceValidation);
    const results: AddressOutcome[] = trimmed.map((email, index) => {
      const at = answers.findIndex((a) => String(a.address).toLowerCase() === email.toLowerCase());
      if (at >= 0) return { index, status: 'verified', result: toVerificationResult(answers.splice(at, 1)[0]!, email) };
      const refused = errors.find((e) => String(e.email_address).toLowerCase() === email.toLowerCase());
      const message = refused ? scrubText(String(refused.error), [apiKey]) : 'ZeroBounce returned no outcome for this address';
      return { index, status: 'failed', error: { code: refused ? 'GW_PROVIDER_REJECTED' : 'GW_PROVIDER_BAD_RESPONSE', message } };
    });
    ctx.logger.debug({ addresses: emails.length }, 'zerobounce verified a batch');
    return emailVerificationBatchResultOf(results);
  }

  /** A batch call may start now (at most batchPerMinute a minute), or GW_LOCAL_RATE_LIMIT: the next verifier takes it. */
  private takeBatchTurn(): void {
    const now = this.clock.now();
    this.batchCalls = this.batchCalls.filter((t) => t > now - 60_000);
    if (this.batchCalls.length >= this.options.batchPerMinute) {
      throw new GatewayError(
        'GW_LOCAL_RATE_LIMIT',
        `ZeroBounce batch validation is limited to ${this.options.batchPerMinute} calls a minute`,
        {
          provider: this.name,
          retryAfterMs: this.batchCalls[0]! + 60_000 - now,
        },
      );
    }
    this.batchCalls.push(now);
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

  private requireKey(): string {
    const apiKey = this.options.apiKey;
    if (!apiKey) {
      throw new GatewayError('GW_NOT_CONFIGURED', 'ZeroBounce API key is not set (option apiKey, env ZEROBOUNCE_API_KEY)', {
        provider: this.name,
      });
    }
    return apiKey;
  }

  private async get(path: string, params: Record<string, string>, signal: AbortSignal): Promise<unknown> {
    const apiKey = this.requireKey();
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
