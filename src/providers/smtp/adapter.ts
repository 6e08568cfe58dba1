/** The `smtp` adapter: email_sending through nodemailer, with a Message-ID derived from the idempotency key. */
import type { Transporter } from 'nodemailer';
import { messageHeaders, toList, type EmailSendingRequest, type EmailSendingResult } from '../../capabilities/email-sending.js';
import { sendCopies } from '../email-copies.js';
import { GatewayError } from '../../core/errors.js';
import type { InvokeContext, ProbeContext, ProbeResult, Provider } from '../../core/provider.js';
import type { ProviderDeps } from '../types.js';
import { mapSmtpError } from './errors.js';
import { authSecrets } from './mail-auth.js';
import type { SmtpConfig } from './options.js';
import { deriveMessageId, parseSender, type Sender } from '../email-sender.js';
import { createTransporter, type SendTracker } from './transport.js';

/** The parts of nodemailer's send result that the adapter reads. */
interface SendInfo {
  accepted?: Array<string | { address: string }>;
  rejected?: Array<string | { address: string }>;
  response?: unknown;
}

export class SmtpProvider implements Provider<EmailSendingRequest, EmailSendingResult> {
  readonly type = 'smtp';
  readonly deduplicates = false;
  private transporter: Transporter | undefined;
  private readonly trackers = new WeakMap<AbortSignal, SendTracker>();
  private readonly secrets: string[];

  constructor(
    readonly name: string,
    private readonly cfg: SmtpConfig,
    private readonly deps: ProviderDeps,
  ) {
    this.secrets = authSecrets(cfg.auth);
    if (cfg.allowInsecure)
      deps.logger.warn({ provider: name }, 'smtp: allowInsecure is on (plain text or unverified certificates permitted)');
  }

  async invoke(req: EmailSendingRequest, ctx: InvokeContext): Promise<EmailSendingResult> {
    const fromValue = req.from ?? this.cfg.from;
    const sender = fromValue === undefined ? undefined : parseSender(fromValue);
    if (!sender) throw this.notConfigured('options.from (or a from address in the request)');
    if (!req.separately) return this.sendOne(req, sender, deriveMessageId(ctx.idempotencyKey, sender.address), ctx);
    // One message per address, each with its own Message-ID (the same on every attempt).
    return sendCopies({
      to: toList(req.to),
      size: 1,
      provider: this.name,
      signal: ctx.signal,
      write: async ([to], offset) => {
        const messageId = deriveMessageId(`${ctx.idempotencyKey}#${offset}`, sender.address);
        const one = await this.sendOne({ ...req, to: to!, separately: false }, sender, messageId, ctx);
        return [
          one.accepted.length > 0
            ? { to: to!, messageId }
            : { to: to!, error: { code: 'GW_PROVIDER_REJECTED', message: one.response ?? 'recipient refused' } },
        ];
      },
    });
  }

  private async sendOne(req: EmailSendingRequest, sender: Sender, messageId: string, ctx: InvokeContext): Promise<EmailSendingResult> {
    const transporter = this.transport();
    const to = toList(req.to);
    // A signal of our own per send: it keys the tracker and follows the attempt's signal.
    const controller = new AbortController();
    const tracker: SendTracker = { dataStarted: false };
    this.trackers.set(controller.signal, tracker);
    const onAbort = (): void => controller.abort(ctx.signal.reason);
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener('abort', onAbort, { once: true });
    let info: SendInfo;
    try {
      info = await transporter.sendMail({
        from: sender.name ? { name: sender.name, address: sender.address } : sender.address,
        to,
        ...(req.cc ? { cc: toList(req.cc) } : {}),
        ...(req.bcc ? { bcc: toList(req.bcc) } : {}),
        ...(req.replyTo ? { replyTo: req.replyTo } : {}),
        subject: req.subject,
        ...(req.text !== undefined ? { text: req.text } : {}),
        ...(req.html !== undefined ? { html: req.html } : {}),
        ...(messageHeaders(req) ? { headers: messageHeaders(req) } : {}),
        ...(req.attachments
          ? {
              attachments: req.attachments.map((a) => ({
                filename: a.filename,
                content: a.content,
                encoding: 'base64',
                ...(a.contentType ? { contentType: a.contentType } : {}),
              })),
            }
          : {}),
        messageId,
        signal: controller.signal,
      });
    } catch (error) {
      const mapped = mapSmtpError(error, {
        provider: this.name,
        capability: ctx.capability,
        dataStarted: tracker.dataStarted,
        aborted: ctx.signal.aborted,
        secrets: this.secrets,
      });
      ctx.logger.debug({ provider: this.name, code: mapped.code, kind: mapped.kind, status: mapped.status }, 'smtp send failed');
      throw mapped;
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
    }
    const result: EmailSendingResult = {
      messageId,
      accepted: (info.accepted ?? []).map(addressText),
      rejected: (info.rejected ?? []).map(addressText),
      ...(typeof info.response === 'string' ? { response: info.response } : {}),
    };
    // The message is sent: a sent-mail log failure must not turn that into an error.
    await this.deps.sentMail
      .record({ messageId, subject: req.subject, to, provider: this.name, sentAt: this.deps.clock.now() })
      .catch((e: unknown) =>
        ctx.logger.warn({ provider: this.name, messageId, error: (e as Error)?.name }, 'smtp: could not record the sent Message-ID'),
      );
    ctx.logger.debug(
      { provider: this.name, messageId, accepted: result.accepted.length, rejected: result.rejected.length },
      'smtp message sent',
    );
    return result;
  }

  /** Connect, EHLO, STARTTLS, AUTH, QUIT: no mail is sent. */
  async probe(ctx: ProbeContext): Promise<ProbeResult> {
    const transporter = this.transport();
    const verify = transporter.verify();
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      // verify() takes no signal: stop waiting (its connection ends at the nodemailer timeouts).
      onAbort = () => {
        reject(Object.assign(new Error('aborted'), { code: 'EABORT' }));
      };
      if (ctx.signal.aborted) onAbort();
      else ctx.signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([verify, aborted]);
    } catch (error) {
      verify.catch(() => undefined);
      throw mapSmtpError(error, {
        provider: this.name,
        capability: 'email_sending',
        dataStarted: false,
        aborted: ctx.signal.aborted,
        secrets: this.secrets,
      });
    } finally {
      if (onAbort) ctx.signal.removeEventListener('abort', onAbort);
    }
    const warnings = this.cfg.allowInsecure
      ? ['allowInsecure is on: the connection may be plain text and the server certificate is not verified']
      : [];
    return {
      metadata: {
        host: this.cfg.host,
        port: this.cfg.port,
        tls: this.cfg.secure ? 'implicit' : this.cfg.requireTLS ? 'starttls' : 'opportunistic',
        auth: this.cfg.auth ? 'yes' : 'no',
      },
      ...(warnings.length ? { warnings } : {}),
    };
  }

  async close(): Promise<void> {
    this.transporter?.close();
    this.transporter = undefined;
  }

  private transport(): Transporter {
    if (this.transporter) return this.transporter;
    const host = this.cfg.host;
    if (!host) throw this.notConfigured('options.host (or options.preset)');
    this.transporter = createTransporter({ ...this.cfg, host }, this.trackers);
    return this.transporter;
  }

  private notConfigured(what: string): GatewayError {
    return new GatewayError('GW_NOT_CONFIGURED', `${this.name} is missing ${what}`, { provider: this.name, capability: 'email_sending' });
  }
}

function addressText(a: string | { address: string }): string {
  return typeof a === 'string' ? a : a.address;
}
