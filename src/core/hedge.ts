/**
 * Hedging for read-only capabilities: start the primary; if it has not answered after
 * `delayMs`, start the partner too. The first success wins and the other attempt is
 * cancelled (a cancelled attempt never counts against its provider).
 */
import type { Clock } from './clock.js';
import type { AttemptRecord } from './invocation.js';
import { attemptRecord } from './trace.js';
import type { AttemptOptions, AttemptResult, TrackedProvider } from './tracked-provider.js';

export interface HedgeOutcome<T> {
  records: AttemptRecord[];
  winner?: { value: T; provider: string };
  /** The last failure, when nobody won. */
  last: AttemptResult<T>;
}

interface Settled<T> {
  r: AttemptResult<T>;
  index: number;
}

export async function hedgedAttempt<T>(
  primary: TrackedProvider,
  partner: TrackedProvider,
  request: unknown,
  opts: AttemptOptions,
  delayMs: number,
  clock: Clock,
): Promise<HedgeOutcome<T>> {
  const providers = [primary, partner] as const;
  const cancels = [new AbortController(), new AbortController()] as const;
  const records: (AttemptRecord | undefined)[] = [undefined, undefined];
  const start = (index: 0 | 1): Promise<Settled<T>> =>
    providers[index].execute<T>(request, { ...opts, attempt: opts.attempt + index, cancel: cancels[index].signal }).then((r) => {
      const rec = attemptRecord(providers[index].name, r);
      records[index] ??= index === 1 ? { ...rec, hedge: true } : rec;
      return { r, index };
    });

  const first = start(0);
  const timer = new AbortController();
  const early = await Promise.race([first, clock.sleep(delayMs, timer.signal).then(() => undefined)]);
  timer.abort();
  if (early) return finish(early, records, providers);

  const pending = new Map<number, Promise<Settled<T>>>([
    [0, first],
    [1, start(1)],
  ]);
  let last: Settled<T> | undefined;
  while (pending.size > 0) {
    const done = await Promise.race(pending.values());
    pending.delete(done.index);
    last = done;
    if (done.r.ok) {
      for (const [index] of pending) {
        records[index] = {
          provider: providers[index as 0 | 1].name,
          outcome: 'skipped',
          code: 'GW_CANCELLED',
          message: 'hedge lost: cancelled',
          latencyMs: 0,
          hedge: index === 1,
        };
        cancels[index as 0 | 1].abort();
      }
      break;
    }
  }
  return finish(last!, records, providers);
}

function finish<T>(s: Settled<T>, records: (AttemptRecord | undefined)[], providers: readonly TrackedProvider[]): HedgeOutcome<T> {
  const out = records.filter((r): r is AttemptRecord => r !== undefined);
  return s.r.ok
    ? { records: out, winner: { value: s.r.value, provider: providers[s.index]!.name }, last: s.r }
    : { records: out, last: s.r };
}
