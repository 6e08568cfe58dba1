/**
 * The context handed to one adapter call. Its AbortController is created only when the
 * adapter first reads `signal`, so an adapter that never looks at it costs no allocation;
 * the shared DeadlineTimer aborts it at the attempt deadline.
 */
import { DeadlineNode } from './deadline.js';
import type { Logger } from './logger.js';
import type { InvokeContext } from './provider.js';

export class AttemptContext extends DeadlineNode implements InvokeContext {
  private controller: AbortController | undefined;
  private aborted = false;
  /** Cancelled by the engine (hedge lost), as opposed to reaching the deadline. */
  cancelled = false;

  constructor(
    readonly idempotencyKey: string,
    readonly deadline: number,
    readonly attempt: number,
    readonly capability: string,
    readonly provider: string,
    readonly logger: Logger,
  ) {
    super(deadline);
  }

  /** By default reaching the deadline only aborts the signal; the engine's attempt also settles. */
  expire(): void {
    this.abort();
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(deadlineReason());
    }
    return this.controller.signal;
  }

  /** Called when the attempt deadline passes or the attempt loses a hedge. */
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.controller?.abort(deadlineReason());
  }

  /** Stops the attempt because another one won; its outcome will not count against the provider. */
  cancel(): void {
    this.cancelled = true;
    this.abort();
  }

  get isAborted(): boolean {
    return this.aborted;
  }
}

function deadlineReason(): Error {
  const e = new Error('attempt deadline reached');
  e.name = 'TimeoutError';
  return e;
}
