/**
 * One shared deadline timer for every attempt in the process, instead of a timer (and an
 * AbortController) per call. Entries sit in a binary heap; a single clock timer is armed for
 * the earliest one. Finished entries are dropped lazily, so the common case (the call ends
 * well before its deadline) costs a heap push and a flag.
 *
 * The clock timer never keeps the process alive by itself, so an idle process exits. When the
 * event loop would otherwise end while entries are still live (an awaited call to an adapter
 * that hangs on a bare promise), a `beforeExit` hook re-references the timer, and the call ends
 * at its deadline instead of the process exiting under it. That costs nothing per call, where
 * referencing and unreferencing the timer on every idle/busy transition cost two native calls.
 */
import type { Clock, TimerHandle } from './clock.js';

export interface DeadlineEntry {
  readonly at: number;
  /** True once done() was called or the deadline fired. */
  readonly finished: boolean;
  /** Marks the entry finished; it will not expire. */
  done(): void;
}

/**
 * Something with a deadline, kept in the heap as itself (the engine's attempt is one), so an
 * attempt costs one object rather than an entry plus a closure. A node added with addNode is
 * ended early with `timer.finish(node)`; when the deadline passes first, the timer sets
 * `finished` and calls `expire()`.
 */
export interface DeadlineNode {
  readonly at: number;
  finished: boolean;
  expire(): void;
}

const noop = (): void => undefined;

class FnNode implements DeadlineNode, DeadlineEntry {
  finished = false;
  constructor(
    readonly at: number,
    private fn: () => void,
    private readonly timer: DeadlineTimer,
  ) {}
  expire(): void {
    this.fn();
  }
  done(): void {
    if (this.timer.finish(this)) this.fn = noop; // free the closure now, not when the deadline passes
  }
}

export class DeadlineTimer {
  private heap: DeadlineNode[] = [];
  private timer: TimerHandle | null = null;
  private armedAt = Number.POSITIVE_INFINITY;
  private finishedInHeap = 0;
  private live = 0;

  constructor(private readonly clock: Clock) {}

  get size(): number {
    return this.heap.length;
  }

  add(at: number, fn: () => void): DeadlineEntry {
    return this.addNode(new FnNode(at, fn, this));
  }

  addNode<N extends DeadlineNode>(node: N): N {
    const at = node.at;
    if (this.finishedInHeap > 256 && this.finishedInHeap * 2 > this.heap.length) this.compact();
    this.push(node);
    if (at < this.armedAt) this.arm(at);
    this.live++;
    return node;
  }

  /** Ends a node added with addNode before its deadline; false when it had already finished. */
  finish(node: DeadlineNode): boolean {
    if (node.finished) return false;
    node.finished = true;
    this.finishedInHeap++;
    this.live--;
    return true;
  }

  private arm(at: number): void {
    this.timer?.cancel();
    this.armedAt = at;
    this.timer = this.clock.setTimeout(() => this.fire(), at - this.clock.now());
    if (this.timer.keepAlive && !this.hooked) {
      this.hooked = true;
      keepAliveAtExit(this);
    }
  }

  private hooked = false;

  /** @internal The event loop is about to end: hold it open while entries are live. */
  holdIfLive(): void {
    if (this.live > 0) this.timer?.keepAlive?.(true);
  }

  private fire(): void {
    this.timer = null;
    this.armedAt = Number.POSITIVE_INFINITY;
    const now = this.clock.now();
    while (this.heap.length > 0) {
      const top = this.heap[0]!;
      if (!top.finished && top.at > now) break;
      this.pop();
      if (top.finished) this.finishedInHeap--;
      else {
        top.finished = true;
        this.live--;
        top.expire();
      }
    }
    // Drop finished entries from the top so an idle process holds no timer.
    while (this.heap.length > 0 && this.heap[0]!.finished) {
      this.pop();
      this.finishedInHeap--;
    }
    if (this.heap.length > 0) this.arm(this.heap[0]!.at);
  }

  /** Rebuilds the heap without finished entries (amortised O(1) per add). */
  private compact(): void {
    const live = this.heap.filter((n) => !n.finished);
    this.heap = [];
    this.finishedInHeap = 0;
    for (const n of live) this.push(n);
  }

  private push(node: DeadlineNode): void {
    const h = this.heap;
    h.push(node);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.at <= node.at) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = node;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && h[r]!.at < h[l]!.at ? r : l;
      if (h[c]!.at >= last.at) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
}

/** Timers whose clock can keep the process alive, checked when the event loop is about to end. */
const exitWatch = new Set<WeakRef<DeadlineTimer>>();
let exitHooked = false;

function keepAliveAtExit(timer: DeadlineTimer): void {
  if (!exitHooked) {
    exitHooked = true;
    process.on('beforeExit', () => {
      for (const ref of exitWatch) {
        const t = ref.deref();
        if (t) t.holdIfLive();
        else exitWatch.delete(ref);
      }
    });
  }
  exitWatch.add(new WeakRef(timer));
}
