/**
 * The optional RCPT probe: connect to the domain's mail host, EHLO, MAIL FROM, RCPT TO the
 * address (and, when asked, a random address of the same domain to detect accept-all), then
 * QUIT. Never DATA: nothing is ever sent.
 */
import { randomBytes } from 'node:crypto';
import { SmtpConversation, SmtpConversationError, type SmtpReply } from './smtp-conversation.js';

export interface SmtpProbeOptions {
  port: number;
  heloName: string;
  /** Envelope sender; empty means the null reverse-path `<>`. */
  mailFrom: string;
  idleTimeoutMs: number;
  detectCatchAll: boolean;
  /** At most this many hosts are tried. */
  maxHosts: number;
}

export type SmtpVerdict =
  | { outcome: 'accepted'; catchAll: boolean; host: string }
  | { outcome: 'rejected'; code: number; enhanced?: string; host: string }
  /** 4xx (greylisting, rate limits) or a 5xx that is a policy refusal rather than "no such mailbox". */
  | { outcome: 'inconclusive'; code: number; enhanced?: string; host: string }
  | { outcome: 'unreachable' };

/**
 * Tries the hosts in order until one holds a conversation. Throws SmtpConversationError('aborted')
 * when the signal fires.
 */
export async function probeMailbox(
  hosts: readonly string[],
  email: string,
  domain: string,
  options: SmtpProbeOptions,
  signal: AbortSignal,
): Promise<SmtpVerdict> {
  for (const host of hosts.slice(0, options.maxHosts)) {
    let conversation: SmtpConversation;
    try {
      conversation = await SmtpConversation.open(host, options.port, options.idleTimeoutMs, signal);
    } catch (error) {
      if (signal.aborted) throw new SmtpConversationError('aborted');
      if (error instanceof SmtpConversationError) continue;
      throw error;
    }
    try {
      return await converse(conversation, host, email, domain, options);
    } catch (error) {
      if (signal.aborted) throw new SmtpConversationError('aborted');
      if (!(error instanceof SmtpConversationError)) throw error;
    } finally {
      await conversation.close();
    }
  }
  return { outcome: 'unreachable' };
}

async function converse(c: SmtpConversation, host: string, email: string, domain: string, o: SmtpProbeOptions): Promise<SmtpVerdict> {
  const greeting = await c.read();
  if (greeting.code !== 220) return verdictOf(greeting, host, false);
  let hello = await c.command(`EHLO ${o.heloName}`);
  if (hello.code >= 500) hello = await c.command(`HELO ${o.heloName}`);
  if (hello.code !== 250) return verdictOf(hello, host, false);
  const from = await c.command(`MAIL FROM:<${o.mailFrom}>`);
  if (from.code !== 250) return verdictOf(from, host, false);
  const rcpt = await c.command(`RCPT TO:<${email}>`);
  if (rcpt.code !== 250 && rcpt.code !== 251) return verdictOf(rcpt, host, true);
  let catchAll = false;
  if (o.detectCatchAll) {
    const probe = await c.command(`RCPT TO:<${randomBytes(10).toString('hex')}@${domain}>`);
    catchAll = probe.code === 250 || probe.code === 251;
  }
  return { outcome: 'accepted', catchAll, host };
}

/** Only a RCPT refusal that names the mailbox (5.1.x, or a bare 550/551/553) makes an address undeliverable. */
function verdictOf(reply: SmtpReply, host: string, atRcpt: boolean): SmtpVerdict {
  const base = reply.enhanced ? { code: reply.code, enhanced: reply.enhanced, host } : { code: reply.code, host };
  const mailboxRefused =
    atRcpt && reply.code >= 500 && (reply.enhanced ? reply.enhanced.startsWith('5.1.') : [550, 551, 553].includes(reply.code));
  return mailboxRefused ? { outcome: 'rejected', ...base } : { outcome: 'inconclusive', ...base };
}
