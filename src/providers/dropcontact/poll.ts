/**
 * Polls a Dropcontact request until its result is ready, within the attempt deadline.
 * "Not ready yet" answers (HTTP 200, success false) mean: wait what the answer asks for ("try
 * again in 30 seconds"), at least one interval, and ask again.
 * When the next poll would fall after the deadline, or the signal fires, the attempt ends with
 * GW_PROVIDER_TIMEOUT; the request id stays stored so a later attempt resumes.
 */
import type { Clock } from '../../core/clock.js';
import { GatewayError } from '../../core/errors.js';
import type { HttpResponse } from '../http/client.js';
import type { DropcontactCall } from './types.js';
import { isNotReady, notReadyWaitMs } from './errors.js';

export interface PollInput {
  call: DropcontactCall;
  path: string;
  firstWaitMs: number;
  intervalMs: number;
  deadline: number;
  signal: AbortSignal;
  clock: Clock;
  mapError(res: HttpResponse, endpoint: string): GatewayError;
  provider: string;
}

/** Returns the enriched records (`data`), in the order they were submitted. */
export async function pollForResult(input: PollInput): Promise<unknown[]> {
  let wait = input.firstWaitMs;
  let polls = 0;
  for (;;) {
    if (wait > 0) {
      if (input.clock.now() + wait >= input.deadline) throw notReady(input, polls);
      await input.clock.sleep(wait, input.signal);
    }
    if (input.signal.aborted) throw notReady(input, polls);
    const res = await input.call('GET', input.path, undefined, input.signal);
    polls++;
    const json = res.json as { data?: unknown; success?: unknown; error?: unknown } | undefined;
    if (res.status === 200 && Array.isArray(json?.data) && json.success !== false && json.error !== true) return json.data as unknown[];
    if (!isNotReady(res)) throw input.mapError(res, input.path.replace(/[^/]+$/, '{request_id}'));
    // Never sooner than Dropcontact asked ("try again in 30 seconds"), nor than our own interval.
    wait = Math.max(input.intervalMs, notReadyWaitMs(res) ?? 0);
  }
}

function notReady(input: PollInput, polls: number): GatewayError {
  return new GatewayError(
    'GW_PROVIDER_TIMEOUT',
    `Dropcontact result not ready before the attempt deadline (${polls} polls); a retry resumes polling`,
    {
      provider: input.provider,
      details: { polls, resumable: true },
    },
  );
}
