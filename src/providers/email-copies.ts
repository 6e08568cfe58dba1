/**
 * A message sent `separately` (one copy per `to` address, a campaign's batch) goes out as calls
 * of at most `size` copies: the provider's batch endpoint, or one copy a call. Mail cannot be
 * unsent, so what a failing call means is decided for side effects:
 *
 * - a copy (or call) the provider refuses (`invalid_request`): those copies fail, the rest go on;
 * - any other failure before anything was sent: thrown, so the chain may fail over the whole
 *   message (nothing reached anyone; an `unknown_outcome` stays where it is by its kind);
 * - any other failure after a copy was sent: never thrown (the chain would send the sent copies
 *   again elsewhere). That call's copies fail with the error's code, later ones `NOT_ATTEMPTED`
 *   (never sent, safe to send again), and the partial result is returned;
 * - the attempt deadline passing between calls: the same, with GW_PROVIDER_TIMEOUT;
 * - every copy refused: the first refusal is thrown.
 */
import {
  allRecipients,
  separateResultOf,
  toList,
  type EmailSendingRequest,
  type EmailSendingResult,
  type SeparateMessage,
} from '../capabilities/email-sending.js';
import { GatewayError, toGatewayError } from '../core/errors.js';

export interface CopiesRun {
  to: readonly string[];
  /** Copies per call: the provider's batch maximum, or 1. */
  size: number;
  provider: string;
  signal: AbortSignal;
  /** Sends the copies to these addresses (`offset` is the first one's index); one outcome per address, in order. */
  write(to: readonly string[], offset: number): Promise<SeparateMessage[]>;
}

export async function sendCopies(run: CopiesRun): Promise<EmailSendingResult> {
  const messages: SeparateMessage[] = [];
  let sent = 0;
  let firstRefusal: GatewayError | undefined;
  const failRest = (from: number, code: string, message: string): void => {
    for (const to of run.to.slice(from)) messages.push({ to, error: { code, message } });
  };
  for (let offset = 0; offset < run.to.length; offset += run.size) {
    const batch = run.to.slice(offset, offset + run.size);
    if (run.signal.aborted) {
      const message = `not sent: the attempt deadline passed after ${offset} of ${run.to.length} copies`;
      if (sent === 0) throw new GatewayError('GW_PROVIDER_TIMEOUT', message, { provider: run.provider });
      failRest(offset, 'NOT_ATTEMPTED', message);
      break;
    }
    try {
      const answer = await run.write(batch, offset);
      messages.push(...answer);
      sent += answer.filter((m) => m.error === undefined).length;
    } catch (e) {
      const error = toGatewayError(e, run.provider);
      if (error.kind === 'invalid_request') {
        firstRefusal ??= error;
        for (const to of batch) messages.push({ to, error: { code: error.code, message: error.message } });
        continue;
      }
      if (sent === 0) throw error;
      for (const to of batch) messages.push({ to, error: { code: error.code, message: error.message } });
      failRest(offset + batch.length, 'NOT_ATTEMPTED', `not sent: an earlier call failed with ${error.code}`);
      break;
    }
  }
  if (sent === 0 && firstRefusal) throw firstRefusal;
  return separateResultOf(messages);
}

/**
 * A provider whose one call sends one message, or a batch of copies under one message id
 * (SendGrid, Mailgun): the message as one call, or its copies `size` a call.
 */
export function sendInCalls(
  req: EmailSendingRequest,
  run: { size: number; provider: string; signal: AbortSignal; send(to: readonly string[], offset: number): Promise<string> },
): Promise<EmailSendingResult> {
  if (!req.separately) {
    return run.send(toList(req.to), 0).then((messageId) => ({ messageId, accepted: allRecipients(req), rejected: [] }));
  }
  return sendCopies({
    to: toList(req.to),
    size: run.size,
    provider: run.provider,
    signal: run.signal,
    write: async (to, offset) => {
      const messageId = await run.send(to, offset);
      return to.map((address) => ({ to: address, messageId }));
    },
  });
}
