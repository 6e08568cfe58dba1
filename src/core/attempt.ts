/**
 * One attempt: the adapter's call under its own AbortSignal and deadline timer.
 *
 * The signal fires at the attempt deadline. The adapter then has a short grace to give its own
 * verdict: it knows whether the request left (an SMTP server that never greeted means "no
 * message data sent", a timeout and not an unknown outcome). Without an answer by the end of
 * the grace the attempt has *expired* and the engine decides what the silence means.
 *
 * The timer keeps the process alive while the call runs (an awaited call is work in progress,
 * even when the adapter hangs on a bare promise) and is cleared the moment the attempt ends,
 * so an idle process holds no timer.
 */
import type { Clock, TimerHandle } from './clock.js';

export type AttemptOutcome<T = unknown> =
  | { ok: true; value: T }
  /** `expired`: no answer by the deadline plus the grace; `cancelled`: stopped by the engine (a hedge won). */
  | { ok: false; thrown: unknown; expired: boolean; cancelled: boolean };

export interface AttemptCall<T> {
  /** The adapter call (or probe), given the attempt's signal. */
  run: (signal: AbortSignal) => Promise<T>;
  clock: Clock;
  /** Epoch ms at which the signal fires. */
  deadline: number;
  /** How long the adapter may still answer after the signal fired. */
  graceMs: number;
  /** Aborting it cancels the attempt (the hedge partner won). */
  cancel?: AbortSignal | undefined;
}

export function runAttempt<T>(call: AttemptCall<T>): Promise<AttemptOutcome<T>> {
  const { clock } = call;
  const controller = new AbortController();
  return new Promise<AttemptOutcome<T>>((resolve) => {
    let timer: TimerHandle | undefined;
    let settled = false;
    const finish = (outcome: AttemptOutcome<T>): void => {
      if (settled) return;
      settled = true;
      timer?.cancel();
      call.cancel?.removeEventListener('abort', onCancel);
      resolve(outcome);
    };
    const onCancel = (): void => {
      controller.abort(reason('CancelledError', 'attempt cancelled: another attempt won'));
      finish({ ok: false, thrown: undefined, expired: false, cancelled: true });
    };
    const onDeadline = (): void => {
      controller.abort(reason('TimeoutError', 'attempt deadline reached'));
      timer = held(clock.setTimeout(() => finish({ ok: false, thrown: undefined, expired: true, cancelled: false }), call.graceMs));
    };
    timer = held(clock.setTimeout(onDeadline, call.deadline - clock.now()));
    if (call.cancel?.aborted) return onCancel();
    call.cancel?.addEventListener('abort', onCancel, { once: true });
    // An adapter that throws synchronously fails its attempt like one that rejects.
    let pending: Promise<T>;
    try {
      pending = Promise.resolve(call.run(controller.signal));
    } catch (thrown) {
      pending = Promise.reject(thrown);
    }
    pending.then(
      (value) => finish({ ok: true, value }),
      (thrown: unknown) => finish({ ok: false, thrown, expired: false, cancelled: false }),
    );
  });
}

function held(handle: TimerHandle): TimerHandle {
  handle.keepAlive?.(true);
  return handle;
}

function reason(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}
