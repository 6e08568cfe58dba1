/**
 * Postmark email_sending adapter: `POST /email` for one message, `POST /email/batch` (500 a
 * call, on the broadcast stream) for a message sent separately. A batch answers 200 with one
 * element per message, each with its own ErrorCode.
 */
import {
  allRecipients,
  toList,
  type EmailSendingRequest,
  type EmailSendingResult,
  type SeparateMessage,
} from '../../capabilities/email-sending.js';
import { GatewayError } from '../../core/errors.js';
import type { InvokeContext, ProbeContext, ProbeResult, Provider } from '../../core/provider.js';
import { sendCopies } from '../email-copies.js';
import { senderOf, type Sender } from '../email-sender.js';
import { httpRequest, type HttpResponse } from '../http/client.js';
import { scrubText } from '../http/scrub.js';
import type { ProviderDeps } from '../types.js';
import { codeForErrorCode, inactiveAddresses, mapPostmarkError, postmarkAnswer } from './errors.js';
import { postmarkMessage } from './message.js';
import { baseOf, POSTMARK_BATCH_MAX, type PostmarkOptions } from './options.js';
import { probePostmark } from './probe.js';

interface Call {
  req: EmailSendingRequest;
  sender: Sender;
  token: string;
  ctx: InvokeContext;
}

export class PostmarkProvider implements Provider<EmailSendingRequest, EmailSendingResult> {
  readonly type = 'postmark';
  readonly deduplicates = false;

  constructor(
    readonly name: string,
    private readonly options: PostmarkOptions,
    private readonly deps: ProviderDeps,
  ) {}

  async invoke(req: EmailSendingRequest, ctx: InvokeContext): Promise<EmailSendingResult> {
    const token = this.requireToken();
    const sender = senderOf(req.from, this.options.from);
    if (!sender) throw this.notConfigured('from', 'options.from (or a from address in the request)');
    const call: Call = { req, sender, token, ctx };
    if (!req.separately) return this.sendOne(call);
    return sendCopies({
      to: toList(req.to),
      size: POSTMARK_BATCH_MAX,
      provider: this.name,
      signal: ctx.signal,
      write: (to, offset) => this.sendBatch(call, to, offset),
    });
  }

  async probe(ctx: ProbeContext): Promise<ProbeResult> {
    return probePostmark({
      base: baseOf(this.options),
      token: this.requireToken(),
      provider: this.name,
      signal: ctx.signal,
      now: this.deps.clock.now(),
    });
  }

  private async sendOne(call: Call): Promise<EmailSendingResult> {
    const message = postmarkMessage(call.req, call.req.to, call.sender, call.ctx.idempotencyKey, this.options.messageStream);
    const res = await this.post(call, '/email', message);
    const answer = postmarkAnswer(res.json);
    const messageId = (res.json as { MessageID?: unknown } | undefined)?.MessageID;
    if (res.status !== 200 || answer.errorCode !== 0 || typeof messageId !== 'string') throw this.mapError(call, res);
    // "Message OK, but will not deliver to these inactive addresses: …"
    const inactive = new Set(inactiveAddresses(answer.message).map((a) => a.toLowerCase()));
    const all = allRecipients(call.req);
    return {
      messageId,
      accepted: all.filter((a) => !inactive.has(a.toLowerCase())),
      rejected: all.filter((a) => inactive.has(a.toLowerCase())),
      response: answer.message,
    };
  }

  private async sendBatch(call: Call, to: readonly string[], offset: number): Promise<SeparateMessage[]> {
    const messages = to.map((address, i) =>
      postmarkMessage(call.req, address, call.sender, call.ctx.idempotencyKey, this.options.broadcastStream, offset + i),
    );
    const res = await this.post(call, '/email/batch', messages);
    if (res.status !== 200 || !Array.isArray(res.json)) throw this.mapError(call, res);
    const answers = res.json as unknown[];
    if (answers.length !== to.length) {
      throw new GatewayError('GW_PROVIDER_BAD_RESPONSE', `Postmark answered ${answers.length} results for ${to.length} messages`, {
        provider: this.name,
        status: res.status,
      });
    }
    // Results come in request order; each element has its own ErrorCode.
    return to.map((address, i): SeparateMessage => {
      const element = answers[i];
      const { errorCode, message } = postmarkAnswer(element);
      const messageId = (element as { MessageID?: unknown } | null)?.MessageID;
      if (errorCode === 0 && typeof messageId === 'string') return { to: address, messageId };
      const { code } = codeForErrorCode(errorCode, call.req.from === undefined);
      return {
        to: address,
        error: { code, message: scrubText(`Postmark ErrorCode ${errorCode ?? '?'}: ${message.slice(0, 300)}`, [call.token]) },
      };
    });
  }

  private post(call: Call, path: string, body: unknown): Promise<HttpResponse> {
    return httpRequest({
      method: 'POST',
      url: `${baseOf(this.options)}${path}`,
      headers: { 'x-postmark-server-token': call.token },
      body,
      signal: call.ctx.signal,
      provider: this.name,
      sideEffects: true,
      secrets: [call.token],
      urlOption: 'baseUrl',
    });
  }

  private mapError(call: Call, res: HttpResponse): GatewayError {
    return mapPostmarkError(res, {
      provider: this.name,
      now: this.deps.clock.now(),
      secrets: [call.token],
      fromOption: call.req.from === undefined,
    });
  }

  private requireToken(): string {
    if (!this.options.serverToken) throw this.notConfigured('serverToken', 'serverToken');
    return this.options.serverToken;
  }

  private notConfigured(setting: string, what: string): GatewayError {
    return new GatewayError('GW_NOT_CONFIGURED', `Postmark provider ${this.name} has no ${what}`, {
      provider: this.name,
      details: { settings: [setting] },
    });
  }
}
