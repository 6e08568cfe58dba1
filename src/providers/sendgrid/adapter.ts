/**
 * SendGrid email_sending adapter: `POST /v3/mail/send` (v3 Mail Send), answered 202 with the
 * message id in `X-Message-Id`. A message sent separately goes 1000 personalizations a call.
 * Every answer's `X-RateLimit-*` headers are reported to the engine.
 */
import type { EmailSendingRequest, EmailSendingResult } from '../../capabilities/email-sending.js';
import { GatewayError } from '../../core/errors.js';
import type { InvokeContext, ProbeContext, ProbeResult, Provider } from '../../core/provider.js';
import { sendInCalls } from '../email-copies.js';
import { senderOf, type Sender } from '../email-sender.js';
import { httpRequest } from '../http/client.js';
import type { ProviderDeps } from '../types.js';
import { mailSendBody } from './body.js';
import { mapSendGridError, sendgridRateLimit } from './errors.js';
import { baseOf, SENDGRID_BATCH_MAX, type SendGridOptions } from './options.js';
import { probeSendGrid } from './probe.js';

export class SendGridProvider implements Provider<EmailSendingRequest, EmailSendingResult> {
  readonly type = 'sendgrid';
  readonly deduplicates = false;

  constructor(
    readonly name: string,
    private readonly options: SendGridOptions,
    private readonly deps: ProviderDeps,
  ) {}

  async invoke(req: EmailSendingRequest, ctx: InvokeContext): Promise<EmailSendingResult> {
    const apiKey = this.requireKey();
    const sender = senderOf(req.from, this.options.from);
    if (!sender) throw this.notConfigured('from', 'options.from (or a from address in the request)');
    const call = { req, sender, apiKey, ctx };
    return sendInCalls(req, {
      size: SENDGRID_BATCH_MAX,
      provider: this.name,
      signal: ctx.signal,
      send: (to, offset) => this.send(call, to, offset),
    });
  }

  async probe(ctx: ProbeContext): Promise<ProbeResult> {
    return probeSendGrid({
      base: baseOf(this.options),
      apiKey: this.requireKey(),
      provider: this.name,
      signal: ctx.signal,
      now: this.deps.clock.now(),
    });
  }

  /** One Mail Send call; the message id SendGrid gave it. */
  private async send(
    call: { req: EmailSendingRequest; sender: Sender; apiKey: string; ctx: InvokeContext },
    to: readonly string[],
    offset: number,
  ): Promise<string> {
    const res = await httpRequest({
      method: 'POST',
      url: `${baseOf(this.options)}/v3/mail/send`,
      headers: { authorization: `Bearer ${call.apiKey}` },
      body: mailSendBody(call.req, to, offset, call.sender, call.ctx.idempotencyKey, this.options.sandboxMode),
      signal: call.ctx.signal,
      provider: this.name,
      sideEffects: true,
      secrets: [call.apiKey],
      urlOption: 'baseUrl',
    });
    const state = sendgridRateLimit(res.headers, this.deps.clock.now());
    if (state) call.ctx.reportRateLimit?.(state);
    // 202 sends; 200 is sandbox mode (checked, nothing sent).
    if (res.status === 202 || (res.status === 200 && this.options.sandboxMode)) return res.headers.get('x-message-id') ?? '';
    throw mapSendGridError(res, {
      provider: this.name,
      now: this.deps.clock.now(),
      secrets: [call.apiKey],
      fromOption: call.req.from === undefined,
    });
  }

  private requireKey(): string {
    if (!this.options.apiKey) throw this.notConfigured('apiKey', 'apiKey');
    return this.options.apiKey;
  }

  private notConfigured(setting: string, what: string): GatewayError {
    return new GatewayError('GW_NOT_CONFIGURED', `SendGrid provider ${this.name} has no ${what}`, {
      provider: this.name,
      details: { settings: [setting] },
    });
  }
}
