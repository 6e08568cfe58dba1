/**
 * Runs the optional RCPT probe for a routed domain and turns its verdict into a reason and a
 * status pull. The attempt's signal firing mid-conversation is the attempt's timeout.
 */
import { GatewayError } from '../../core/errors.js';
import type { MailDns, MailRoute } from './mail-dns.js';
import type { LocalVerifierOptions } from './options.js';
import { SmtpConversationError } from './smtp-conversation.js';
import { probeMailbox } from './smtp-probe.js';

export interface MailboxFinding {
  reason: 'smtp_accepted' | 'accept_all' | 'smtp_rejected' | 'smtp_inconclusive' | 'smtp_unreachable';
  /** The status this finding asks for, if any (`undefined`: leave the DNS verdict as it is). */
  status?: 'undeliverable' | 'risky' | 'unknown';
  smtpCode?: number;
}

export async function checkMailbox(
  route: Extract<MailRoute, { kind: 'mx' | 'implicit' }>,
  email: string,
  domain: string,
  options: LocalVerifierOptions['smtp'],
  dns: MailDns,
  signal: AbortSignal,
  provider: string,
): Promise<MailboxFinding> {
  const hosts = route.kind === 'implicit' ? route.addresses : await hostAddresses(route.mx.slice(0, options.maxHosts), dns, signal);
  try {
    const verdict = await probeMailbox(hosts, email, domain, { ...options, idleTimeoutMs: options.timeoutMs }, signal);
    switch (verdict.outcome) {
      case 'accepted':
        return verdict.catchAll ? { reason: 'accept_all', status: 'risky' } : { reason: 'smtp_accepted' };
      case 'rejected':
        return { reason: 'smtp_rejected', status: 'undeliverable', smtpCode: verdict.code };
      case 'inconclusive':
        return { reason: 'smtp_inconclusive', status: 'unknown', smtpCode: verdict.code };
      case 'unreachable':
        return { reason: 'smtp_unreachable' };
    }
  } catch (error) {
    if (error instanceof SmtpConversationError && error.reason === 'aborted') {
      throw new GatewayError('GW_PROVIDER_TIMEOUT', 'SMTP mailbox probe abandoned at the attempt deadline', { provider });
    }
    throw error;
  }
}

/** First address of each MX host, in preference order; hosts that do not resolve are skipped. */
async function hostAddresses(mx: readonly string[], dns: MailDns, signal: AbortSignal): Promise<string[]> {
  const out: string[] = [];
  for (const host of mx) {
    try {
      const addresses = await dns.addresses(host, signal);
      if (addresses[0]) out.push(addresses[0]);
    } catch (error) {
      if (signal.aborted) throw error;
    }
  }
  return out;
}
