/**
 * Mailgun email_sending adapter: `POST /v3/{domain}/messages` (multipart), HTTP Basic `api:<key>`,
 * answered `200 {"id":"<…>","message":"Queued. Thank you."}`. A message sent separately is a
 * batch send of up to 1000 recipients a call.
 */
import type { EmailSendingRequest, EmailSendingResult } from '../../capabilities/email-sending.js';
import { GatewayError } from '../../core/errors.js';
import type { InvokeContext, ProbeContext, ProbeResult, Provider } from '../../core/provider.js';
import { sendInCalls } from '../email-copies.js';
import { senderOf, type Sender } from '../email-sender.js';
import { httpRequest } from '../http/client.js';
import type { ProviderDeps } from '../types.js';
import { mapMailgunError } from './errors.js';
import { messageForm } from './form.js';
import { baseOf, MAILGUN_BATCH_MAX, type MailgunOptions } from './options.js';
import { probeMailgun } from './probe.js';

interface Call {
  req: EmailSendingRequest;
  sender: Sender;
  apiKey: string;
  domain: string;
  ctx: InvokeContext;
}

export class MailgunProvider implements Provider<EmailSendingRequest, EmailSendingResult> {
  readonly type = 'mailgun';
  readonly deduplicates = false;

  constructor(
    readonly name: string,
    private readonly options: MailgunOptions,
    private readonly deps: ProviderDeps,
  ) {}

  async invoke(req: EmailSendingRequest, ctx: InvokeContext): Promise<EmailSendingResult> {
    const { apiKey, domain } = this.requireSetup();
    const sender = senderOf(req.from, this.options.from);
    if (!sender) throw this.notConfigured('from', 'options.from (or a from address in the request)');
    const call: Call = { req, sender, apiKey, domain, ctx };
    return sendInCalls(req, {
      size: MAILGUN_BATCH_MAX,
      provider: this.name,
      signal: ctx.signal,
      send: (to, offset) => this.send(call, to, offset),
    });
  }

  async probe(ctx: ProbeContext): Promise<ProbeResult> {
    const { apiKey, domain } = this.requireSetup();
    return probeMailgun({
      base: baseOf(this.options),
      domain,
      apiKey,
      authorization: basic(apiKey),
      provider: this.name,
      signal: ctx.signal,
      now: this.deps.clock.now(),
    });
  }

  private async send(call: Call, to: readonly string[], offset: number): Promise<string> {
    const authorization = basic(call.apiKey);
    const res = await httpRequest({
      method: 'POST',
      url: `${baseOf(this.options)}/v3/${encodeURIComponent(call.domain)}/messages`,
      headers: { authorization },
      body: messageForm(call.req, to, offset, call.sender, call.ctx.idempotencyKey, this.options.testMode),
      signal: call.ctx.signal,
      provider: this.name,
      sideEffects: true,
      secrets: [call.apiKey, authorization],
      urlOption: 'baseUrl',
    });
    const id = (res.json as { id?: unknown } | undefined)?.id;
    if (res.status === 200 && typeof id === 'string') return id;
    if (res.status === 200) {
      throw new GatewayError('GW_UNKNOWN_OUTCOME', 'Mailgun answered 200 without a message id: the message may be queued', {
        provider: this.name,
        status: 200,
      });
    }
    throw mapMailgunError(res, { provider: this.name, now: this.deps.clock.now(), secrets: [call.apiKey, authorization] });
  }

  private requireSetup(): { apiKey: string; domain: string } {
    if (!this.options.apiKey) throw this.notConfigured('apiKey', 'apiKey');
    if (!this.options.domain) throw this.notConfigured('domain', 'domain');
    return { apiKey: this.options.apiKey, domain: this.options.domain };
  }

  private notConfigured(setting: string, what: string): GatewayError {
    return new GatewayError('GW_NOT_CONFIGURED', `Mailgun provider ${this.name} has no ${what}`, {
      provider: this.name,
      details: { settings: [setting] },
    });
  }
}

function basic(apiKey: string): string {
  return `Basic ${Buffer.from(`api:${apiKey}`).toString('base64')}`;
}
