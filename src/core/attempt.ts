/**
 * One attempt of the engine: the adapter's context, its entry in the shared deadline timer and
 * its pending result, in one object, so an attempt costs a single allocation of its own.
 *
 * The class is deliberately flat (no base classes): V8 constructs a derived class with
 * field definitions at each level at about three times the cost of one flat class.
 * Its AbortController is created only when the adapter first reads `signal`, so an adapter
 * that never looks at it costs no allocation; the shared DeadlineTimer aborts it at the deadline.
 */
import type { PermitVerdict } from './breaker.js';
import type { DeadlineNode, DeadlineTimer } from './deadline.js';
import type { Logger } from './logger.js';
import type { InvokeContext } from './provider.js';
import type { TrackedProvider } from './tracked-provider.js';
import type { AttemptResult } from './tracked-provider-types.js';

/** Sentinel outcome of the shared deadline timer. */
export const DEADLINE: unique symbol = Symbol('deadline');

/** One attempt: the adapter's context, its deadline entry and its pending result in one object. */
export class Attempt<T> implements InvokeContext, DeadlineNode {
  /** True once the adapter answered or the deadline passed; the first of the two decides. */
  finished = false;
  /** Cancelled by the engine (hedge lost), as opposed to reaching the deadline. */
  cancelled = false;
  private aborted = false;
  private controller: AbortController | undefined = undefined;
  readonly capability: string;
  readonly provider: string;
  /** The deadline timer's key (the attempt deadline). */
  readonly at: number;

  constructor(
    private readonly tracked: TrackedProvider,
    private readonly timer: DeadlineTimer,
    readonly idempotencyKey: string,
    readonly attempt: number,
    readonly logger: Logger,
    /** The attempt deadline (the earlier of the invocation's and the attempt timeout). */
    readonly deadline: number,
    readonly verdict: PermitVerdict,
    readonly generation: number,
    readonly began: number,
    /** Receives the outcome exactly once. */
    private readonly resolve: (r: AttemptResult<T>) => void,
  ) {
    this.capability = tracked.capability;
    this.provider = tracked.name;
    this.at = deadline;
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(deadlineReason());
    }
    return this.controller.signal;
  }

  get isAborted(): boolean {
    return this.aborted;
  }

  /** Stops the attempt because another one won; its outcome will not count against the provider. */
  cancel(): void {
    this.cancelled = true;
    this.abort();
  }

  succeed(value: unknown): void {
    if (this.finished) return; // the deadline already decided this attempt
    this.timer.finish(this);
    this.resolve(this.tracked.settleSuccess(this, value));
  }

  fail(thrown: unknown): void {
    if (this.finished) return;
    this.timer.finish(this);
    this.resolve(this.tracked.settleFailure(this, thrown));
  }

  /** The deadline passed first (the timer has marked it finished). */
  expire(): void {
    this.abort();
    this.resolve(this.tracked.settleFailure(this, DEADLINE));
  }

  private abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.controller?.abort(deadlineReason());
  }
}

/** The reason an attempt's signal carries when its deadline passes. */
export function deadlineReason(): Error {
  const e = new Error('attempt deadline reached');
  e.name = 'TimeoutError';
  return e;
}
