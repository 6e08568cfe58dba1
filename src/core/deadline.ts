/**
 * The timer keeps the process alive only while some entry is still live, so an awaited call
 * to an adapter that hangs on a bare promise still ends at its deadline, and an idle process exits.
 *
 * One shared deadline timer for every attempt in the process, instead of a timer (and an
 * AbortController) per call. Entries sit in a binary heap; a single clock timer is armed for
 * the earliest one. Finished entries are dropped lazily, so the common case (the call ends
 * well before its deadline) costs a heap push and a flag.
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
 * Something with a deadline. Subclasses (the attempt context) carry their own state, so an
 * attempt costs one object here rather than an entry plus a closure.
 */
export abstract class DeadlineNode implements DeadlineEntry {
  finished = false;
  private owner: DeadlineTimer | null = null;

  constructor(readonly at: number) {}

  /** Runs when the deadline passes before done(). */
  abstract expire(): void;

  /** Drops references held for expire() once the node is done. */
  protected release(): void {}

  done(): void {
    if (this.finished) return;
    this.finished = true;
    this.release();
    this.owner?.entryDone();
  }

  /** @internal */
  attach(owner: DeadlineTimer): void {
    this.owner = owner;
  }
}

const noop = (): void => undefined;

class FnNode extends DeadlineNode {
  constructor(
    at: number,
    private fn: () => void,
  ) {
    super(at);
  }
  expire(): void {
    this.fn();
  }
  protected override release(): void {
    this.fn = noop; // free the closure now, not when the deadline passes
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
    return this.addNode(new FnNode(at, fn));
  }

  addNode<N extends DeadlineNode>(node: N): N {
    const at = node.at;
    node.attach(this);
    if (this.finishedInHeap > 256 && this.finishedInHeap * 2 > this.heap.length) this.compact();
    this.push(node);
    if (at < this.armedAt) this.arm(at);
    this.liveDelta(1);
    return node;
  }

  /** @internal Called by a node when it is done before its deadline. */
  entryDone(): void {
    this.finishedInHeap++;
    this.liveDelta(-1);
  }

  private liveDelta(d: number): void {
    this.live += d;
    if (d > 0 ? this.live === 1 : this.live === 0) this.timer?.keepAlive?.(this.live > 0);
  }

  private arm(at: number): void {
    this.timer?.cancel();
    this.armedAt = at;
    this.timer = this.clock.setTimeout(() => this.fire(), at - this.clock.now());
    if (this.live > 0) this.timer.keepAlive?.(true);
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
