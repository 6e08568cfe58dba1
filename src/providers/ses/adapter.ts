/**
 * Amazon SES v2 email_sending adapter through the official SDK (`@aws-sdk/client-sesv2`):
 * SendEmail, one message a call (SES's bulk endpoint takes templates only, so a message sent
 * separately is one SendEmail per copy). The SDK's own retries are off (`maxAttempts: 1`): the
 * engine decides retries and failover, and a retried send could be a duplicate. The attempt's
 * AbortSignal is passed to every call.
 */
import { GetAccountCommand, SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { allRecipients, toList, type EmailSendingRequest, type EmailSendingResult } from '../../capabilities/email-sending.js';
import { GatewayError } from '../../core/errors.js';
import type { InvokeContext, ProbeContext, ProbeResult, Provider } from '../../core/provider.js';
import { sendCopies } from '../email-copies.js';
import { senderOf, type Sender } from '../email-sender.js';
import { mapSesError } from './errors.js';
import { sendEmailInput } from './message.js';
import type { SesOptions } from './options.js';

export class SesProvider implements Provider<EmailSendingRequest, EmailSendingResult> {
  readonly type = 'ses';
  readonly deduplicates = false;
  private client: SESv2Client | undefined;
  private readonly secrets: (string | undefined)[];

  constructor(
    readonly name: string,
    private readonly options: SesOptions,
  ) {
    this.secrets = [options.secretAccessKey, options.sessionToken];
  }

  async invoke(req: EmailSendingRequest, ctx: InvokeContext): Promise<EmailSendingResult> {
    const client = this.sdk();
    const sender = senderOf(req.from, this.options.from);
    if (!sender) throw this.notConfigured('from', 'options.from (or a from address in the request)');
    if (!req.separately) {
      const messageId = await this.send(client, req, req.to, sender, ctx);
      return { messageId, accepted: allRecipients(req), rejected: [] };
    }
    return sendCopies({
      to: toList(req.to),
      size: 1,
      provider: this.name,
      signal: ctx.signal,
      write: async ([to], offset) => [{ to: to!, messageId: await this.send(client, req, to!, sender, ctx, offset) }],
    });
  }

  /** GetAccount: the account's sending quota and standing; sends nothing. */
  async probe(ctx: ProbeContext): Promise<ProbeResult> {
    let account;
    try {
      account = await this.sdk().send(new GetAccountCommand({}), { abortSignal: ctx.signal });
    } catch (error) {
      throw mapSesError(error, {
        provider: this.name,
        secrets: this.secrets,
        sideEffects: false,
        aborted: ctx.signal.aborted,
        fromOption: false,
      });
    }
    const quota = account.SendQuota;
    const max = quota?.Max24HourSend;
    const sent = quota?.SentLast24Hours ?? 0;
    const unlimited = max === undefined || max < 0;
    const remaining = unlimited ? null : Math.max(0, Math.floor(max - sent));
    if (!unlimited) ctx.reportRateLimit?.({ window: '24h', remaining, limit: Math.floor(max), resetAt: null });
    if (account.SendingEnabled === false || account.EnforcementStatus === 'SHUTDOWN') {
      throw new GatewayError(
        'GW_PROVIDER_QUOTA',
        `SES sending is ${account.EnforcementStatus === 'SHUTDOWN' ? 'shut down' : 'paused'} for this account`,
        {
          provider: this.name,
          status: 200,
          details: { enforcementStatus: account.EnforcementStatus ?? 'unknown' },
        },
      );
    }
    const warnings: string[] = [];
    if (account.ProductionAccessEnabled === false)
      warnings.push('The SES account is in the sandbox: only verified recipients receive mail (200 a day, 1 a second)');
    if (account.EnforcementStatus === 'PROBATION') warnings.push('The SES account is on probation: bounce or complaint rates are too high');
    return {
      metadata: {
        maxSendRate: quota?.MaxSendRate ?? null,
        max24HourSend: unlimited ? 'unlimited' : max,
        sentLast24Hours: sent,
        enforcementStatus: account.EnforcementStatus ?? 'unknown',
      },
      ...(warnings.length ? { warnings } : {}),
      quotaAvailable: remaining === null || remaining > 0,
    };
  }

  async close(): Promise<void> {
    this.client?.destroy();
    this.client = undefined;
  }

  private async send(
    client: SESv2Client,
    req: EmailSendingRequest,
    to: string | string[],
    sender: Sender,
    ctx: InvokeContext,
    copy?: number,
  ): Promise<string> {
    const input = sendEmailInput(req, to, sender, ctx.idempotencyKey, this.options.configurationSetName, copy);
    let answer;
    try {
      answer = await client.send(new SendEmailCommand(input), { abortSignal: ctx.signal });
    } catch (error) {
      throw mapSesError(error, {
        provider: this.name,
        secrets: this.secrets,
        sideEffects: true,
        aborted: ctx.signal.aborted,
        fromOption: req.from === undefined,
      });
    }
    if (!answer.MessageId) {
      throw new GatewayError('GW_UNKNOWN_OUTCOME', 'SES answered without a MessageId: the message may have been sent', {
        provider: this.name,
      });
    }
    return answer.MessageId;
  }

  private sdk(): SESv2Client {
    if (this.client) return this.client;
    const { accessKeyId, secretAccessKey, sessionToken } = this.options;
    if (!accessKeyId || !secretAccessKey) throw this.notConfigured(accessKeyId ? 'secretAccessKey' : 'accessKeyId', 'AWS credentials');
    this.client = new SESv2Client({
      region: this.options.region,
      ...(this.options.endpoint ? { endpoint: this.options.endpoint } : {}),
      credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
      // The engine retries and fails over; an SDK retry of a send could deliver it twice.
      maxAttempts: 1,
    });
    return this.client;
  }

  private notConfigured(setting: string, what: string): GatewayError {
    return new GatewayError('GW_NOT_CONFIGURED', `SES provider ${this.name} has no ${what}`, {
      provider: this.name,
      details: { settings: [setting] },
    });
  }
}
