/**
 * The `imap` adapter: reply_fetching. Each fetch opens a connection, selects the mailbox
 * read-only, returns the messages after the cursor (bounded batch) and advances the cursor
 * in provider state only once the whole batch is parsed.
 */
import type { FetchedMessage, ReplyFetchingRequest, ReplyFetchingResult } from '../../capabilities/reply-fetching.js';
import { GatewayError } from '../../core/errors.js';
import type { InvokeContext, ProbeContext, ProbeResult, Provider } from '../../core/provider.js';
import { authSecrets } from '../smtp/mail-auth.js';
import type { ProviderDeps } from '../types.js';
import { openClient } from './client.js';
import { cursorStateKey, decodeCursor, encodeCursor, isAhead, type ImapCursor } from './cursor.js';
import { mapImapError } from './errors.js';
import { fetchBatch } from './fetch-batch.js';
import { dsnEvents } from './dsn.js';
import { toFetchedMessage } from './message.js';
import type { ImapConfig } from './options.js';

const DAY_MS = 86_400_000;

export class ImapProvider implements Provider<ReplyFetchingRequest, ReplyFetchingResult> {
  readonly type = 'imap';
  private readonly secrets: string[];

  constructor(
    readonly name: string,
    private readonly cfg: ImapConfig,
    private readonly deps: ProviderDeps,
  ) {
    this.secrets = authSecrets(cfg.auth);
    if (cfg.allowInsecure)
      deps.logger.warn({ provider: name }, 'imap: allowInsecure is on (plain text or unverified certificates permitted)');
  }

  async invoke(req: ReplyFetchingRequest, ctx: InvokeContext): Promise<ReplyFetchingResult> {
    // The request default is INBOX: then the configured mailbox applies.
    const mailbox = req.mailbox && req.mailbox !== 'INBOX' ? req.mailbox : this.cfg.mailbox;
    const limit = Math.min(req.limit ?? this.cfg.batchSize, this.cfg.batchSize);
    const key = cursorStateKey(mailbox);
    const stored = await this.deps.state.get<ImapCursor>(key);
    const cursor = req.cursor !== undefined ? decodeCursor(req.cursor, this.name) : stored;
    const since = this.cfg.sinceDays ? new Date(this.deps.clock.now() - this.cfg.sinceDays * DAY_MS) : undefined;
    const host = this.requireHost();
    let messages: FetchedMessage[];
    let batch;
    try {
      const { client, release } = await openClient({ ...this.cfg, host }, ctx.signal);
      try {
        await client.mailboxOpen(mailbox, { readOnly: true });
        batch = await fetchBatch(client, cursor, limit, since);
      } finally {
        await release();
      }
      messages = [];
      for (const m of batch.messages) messages.push(await toFetchedMessage(m.uid, m.source, m.internalDate, this.deps.sentMail));
    } catch (error) {
      const mapped = mapImapError(error, {
        provider: this.name,
        capability: ctx.capability,
        aborted: ctx.signal.aborted,
        secrets: this.secrets,
      });
      ctx.logger.debug({ provider: this.name, mailbox, code: mapped.code, kind: mapped.kind }, 'imap fetch failed; cursor kept');
      throw mapped;
    }
    if (batch.reset) {
      this.deps.logger.warn(
        { provider: this.name, mailbox, previousUidValidity: cursor?.uidValidity, uidValidity: batch.uidValidity },
        'imap: UIDVALIDITY changed, cursor reset: fetching the mailbox again from the start (messages may repeat)',
      );
    }
    await this.reportBounces(messages, ctx);
    const stateNow = await this.deps.state.get<ImapCursor>(key);
    if (isAhead(batch.next, stateNow)) await this.deps.state.set(key, { ...batch.next });
    ctx.logger.debug(
      { provider: this.name, mailbox, count: messages.length, hasMore: batch.hasMore, reset: batch.reset },
      'imap fetch done',
    );
    return { messages, cursor: encodeCursor(batch.next), hasMore: batch.hasMore };
  }

  /**
   * Hands the recipients of delivery status notifications to the gateway's mail events (a hard
   * bounce suppresses the address), under the provider that sent the returned message when it is
   * in the sent-mail log, else `dsn`. A failure here is logged; the fetch still answers.
   */
  private async reportBounces(messages: readonly FetchedMessage[], ctx: InvokeContext): Promise<void> {
    const sink = this.deps.mailEvents;
    if (!sink) return;
    for (const m of messages) {
      if (!m.dsnRecipients?.length) continue;
      const original = m.replyTo ? await this.deps.sentMail.findAny([m.replyTo.messageId]) : undefined;
      const events = dsnEvents(m);
      if (events.length === 0) continue;
      await sink
        .report(original?.provider ?? 'dsn', events)
        .catch((error: unknown) =>
          ctx.logger.warn({ provider: this.name, reason: (error as Error).message }, 'imap: bounce could not be recorded as mail events'),
        );
    }
  }

  /** Connect, LOGIN, STATUS of the mailbox: message and unseen counts. */
  async probe(ctx: ProbeContext): Promise<ProbeResult> {
    const host = this.requireHost();
    try {
      const { client, release } = await openClient({ ...this.cfg, host }, ctx.signal);
      try {
        const status = await client.status(this.cfg.mailbox, { messages: true, unseen: true });
        if (!status) throw Object.assign(new Error('no STATUS'), { mailboxMissing: true });
        const warnings = this.cfg.allowInsecure
          ? ['allowInsecure is on: the connection may be plain text and the server certificate is not verified']
          : [];
        return {
          metadata: { mailbox: this.cfg.mailbox, messages: status.messages ?? 0, unseen: status.unseen ?? 0 },
          ...(warnings.length ? { warnings } : {}),
        };
      } finally {
        await release();
      }
    } catch (error) {
      throw mapImapError(error, { provider: this.name, capability: 'reply_fetching', aborted: ctx.signal.aborted, secrets: this.secrets });
    }
  }

  private requireHost(): string {
    if (this.cfg.host) return this.cfg.host;
    throw new GatewayError('GW_NOT_CONFIGURED', `${this.name} is missing options.host (or options.preset)`, {
      provider: this.name,
      capability: 'reply_fetching',
    });
  }
}
