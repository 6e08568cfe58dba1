/**
 * One attempt of the engine: the adapter's context, its entry in the shared deadline timer and
 * its pending result, in one object, so an attempt costs a single allocation of its own.
 */
import { AttemptContext } from './attempt-context.js';
import type { PermitVerdict } from './breaker.js';
import type { TrackedProvider } from './tracked-provider.js';
import type { AttemptOptions, AttemptResult } from './tracked-provider-types.js';

/** Sentinel outcome of the shared deadline timer. */
export const DEADLINE: unique symbol = Symbol('deadline');

/** One attempt: the adapter's context, its deadline entry and its pending result in one object. */
export class Attempt<T> extends AttemptContext {
  constructor(
    private readonly tracked: TrackedProvider,
    opts: AttemptOptions,
    deadline: number,
    readonly verdict: PermitVerdict,
    readonly generation: number,
    readonly began: number,
    /** Receives the outcome exactly once. */
    private readonly resolve: (r: AttemptResult<T>) => void,
  ) {
    super(opts.idempotencyKey, deadline, opts.attempt, tracked.capability, tracked.name, opts.logger);
  }

  succeed(value: unknown): void {
    if (this.finished) return; // the deadline already decided this attempt
    this.done();
    this.resolve(this.tracked.settleSuccess(this, value));
  }

  fail(thrown: unknown): void {
    if (this.finished) return;
    this.done();
    this.resolve(this.tracked.settleFailure(this, thrown));
  }

  override expire(): void {
    this.abort();
    this.resolve(this.tracked.settleFailure(this, DEADLINE));
  }
}
