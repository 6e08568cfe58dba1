/**
 * The suppression list in front of every email_sending invocation (a chain guard, so direct
 * calls, outbox retries and job items all pass it, at the moment of sending):
 * - no recipient suppressed: the request as is;
 * - some: the message goes to the rest, and the result lists the left-out ones in `suppressed`
 *   and `rejected` (a message sent separately keeps one entry per address in `messages`, the
 *   suppressed ones with error GW_SUPPRESSED, so a job's items still line up);
 * - every `to` address suppressed: GW_SUPPRESSED (invalid_request), nothing sent. A message
 *   whose only recipients left would be cc or bcc is refused too (they never asked for it alone).
 * Bulk mail then gets each copy's one-click unsubscribe headers (./unsubscribe.ts) and tries a
 * provider at a critical complaint or bounce rate last (./health.ts). After a
 * send, the copies a provider accepted are counted for the deliverability rates.
 * With `deliverability.suppression.enabled: false` nobody is left out; the rest still runs.
 */
import {
  allRecipients,
  copyHeaders,
  separateResultOf,
  toList,
  type EmailSendingRequest,
  type EmailSendingResult,
  type SeparateMessage,
} from '../capabilities/email-sending.js';
import type { RequestGuard } from '../core/chain.js';
import type { Clock } from '../core/clock.js';
import { GatewayError } from '../core/errors.js';
import type { InvokeResult } from '../core/invocation.js';
import type { Logger } from '../core/logger.js';
import { normaliseAddress, type MailEventLog, type SuppressionEntry, type SuppressionList } from '../store/mail-data.js';
import type { UnsubscribeLinks } from './unsubscribe.js';

export interface SuppressionGuardDeps {
  /** The list to check; undefined when the check is off. */
  suppressions: SuppressionList | undefined;
  events: MailEventLog;
  clock: Clock;
  /** When configured: bulk mail gets one-click unsubscribe headers per copy. */
  unsubscribe?: UnsubscribeLinks;
  /** Providers bulk mail tries last (a critical complaint or bounce rate). */
  demotedForBulk?: () => Promise<string[]>;
  logger?: Logger;
}

const describe = (e: SuppressionEntry): string =>
  `${e.address} (${e.reason.replace('_', ' ')}, ${e.source}, ${new Date(e.at).toISOString()})`;

function suppressedError(entries: readonly SuppressionEntry[]): GatewayError {
  return new GatewayError('GW_SUPPRESSED', `Every recipient is on the suppression list: ${entries.slice(0, 5).map(describe).join('; ')}`, {
    capability: 'email_sending',
    details: {
      field: 'to',
      suppressed: entries.map((e) => ({ address: e.address, reason: e.reason, source: e.source, at: e.at })),
    },
  });
}

export function suppressionGuard(deps: SuppressionGuardDeps): RequestGuard {
  /**
   * Counts what the provider accepted; the result itself is unchanged. The mail is sent: a
   * failure to count must not turn that into an error (the caller would send it again).
   */
  const counted = async (r: InvokeResult): Promise<InvokeResult> => {
    const accepted = (r.result as EmailSendingResult).accepted.length;
    if (accepted > 0) {
      await deps.events.countSent(r.provider, accepted, deps.clock.now()).catch((error: unknown) => {
        deps.logger?.warn(
          { provider: r.provider, reason: (error as Error).message },
          'sent mail could not be counted for the deliverability rates',
        );
      });
    }
    return r;
  };

  /**
   * Bulk mail (`bulk`, or sent `separately`) gets each copy's List-Unsubscribe headers, unless
   * the caller set that recipient's own. A bulk message to several recipients at once shares one
   * set of headers, so it gets none (a link would unsubscribe only one of them).
   */
  const withUnsubscribe = (req: EmailSendingRequest): EmailSendingRequest => {
    const links = deps.unsubscribe;
    if (!links || !(req.bulk || req.separately)) return req;
    const addresses = req.separately ? toList(req.to) : allRecipients(req);
    if (!req.separately && addresses.length !== 1) return req;
    const now = deps.clock.now();
    const recipientHeaders = { ...req.recipientHeaders };
    for (const address of addresses) {
      const own = copyHeaders(req, address) ?? {};
      if (Object.keys(own).some((h) => h.toLowerCase() === 'list-unsubscribe')) continue;
      // The caller's key for this address, whatever its case, else the address in lower case.
      const key = Object.keys(recipientHeaders).find((a) => a.toLowerCase() === address.toLowerCase()) ?? address.toLowerCase();
      recipientHeaders[key] = { ...recipientHeaders[key], ...links.headers(address, now) };
    }
    return { ...req, recipientHeaders };
  };

  return {
    async before(request) {
      const req = request as EmailSendingRequest;
      const screened = await screen(req);
      const demote = (req.bulk || req.separately) && deps.demotedForBulk ? await deps.demotedForBulk() : [];
      return { ...screened, request: withUnsubscribe(screened.request as EmailSendingRequest), ...(demote.length ? { demote } : {}) };
    },
  };

  /** The request without its suppressed recipients, and how to put them back into the result. */
  async function screen(req: EmailSendingRequest): Promise<Awaited<ReturnType<RequestGuard['before']>>> {
    const to = toList(req.to);
    const cc = toList(req.cc);
    const bcc = toList(req.bcc);
    const hits = deps.suppressions ? await deps.suppressions.lookup([...new Set([...to, ...cc, ...bcc].map(normaliseAddress))]) : [];
    if (hits.length === 0) return { request: req, after: counted };
    const byAddress = new Map(hits.map((e) => [e.address, e]));
    const entryOf = (a: string): SuppressionEntry | undefined => byAddress.get(normaliseAddress(a));
    const kept = (list: string[]): string[] => list.filter((a) => !entryOf(a));
    const left = { to: kept(to), cc: kept(cc), bcc: kept(bcc) };
    if (left.to.length === 0) throw suppressedError(hits);
    const suppressed = hits.map((e) => ({ address: e.address, reason: e.reason }));

    if (req.separately) {
      return {
        request: { ...req, to: left.to },
        async after(r) {
          const sent = [...((r.result as EmailSendingResult).messages ?? [])];
          const messages = to.map((address): SeparateMessage => {
            const e = entryOf(address);
            if (e) return { to: address, error: { code: 'GW_SUPPRESSED', message: `suppressed: ${describe(e)}` } };
            return sent.shift() ?? { to: address, error: { code: 'GW_PROVIDER_BAD_RESPONSE', message: 'no outcome for this copy' } };
          });
          return counted({ ...r, result: { ...separateResultOf(messages), suppressed } });
        },
      };
    }
    const trimmed: EmailSendingRequest = { ...req, to: left.to };
    if (req.cc !== undefined) {
      if (left.cc.length) trimmed.cc = left.cc;
      else delete trimmed.cc;
    }
    if (req.bcc !== undefined) {
      if (left.bcc.length) trimmed.bcc = left.bcc;
      else delete trimmed.bcc;
    }
    return {
      request: trimmed,
      async after(r) {
        const result = r.result as EmailSendingResult;
        return counted({ ...r, result: { ...result, rejected: [...result.rejected, ...hits.map((e) => e.address)], suppressed } });
      },
    };
  }
}
