/**
 * Group commit: writes requested in the same turn of the event loop are committed in one
 * transaction (one fsync), and every caller's promise settles after that commit. This is what
 * lets a `synchronous=FULL` outbox take thousands of enqueues per second.
 */
export class GroupCommit<I, O> {
  private pending: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  private scheduled = false;

  constructor(
    /** Runs the whole batch in one transaction; returns one output per item, in order. */
    private readonly commit: (items: readonly I[]) => O[],
    private readonly maxBatch = 1_000,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.maxBatch) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits what is waiting now. */
  flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    let out: O[];
    try {
      out = this.commit(batch.map((b) => b.item));
    } catch (error) {
      for (const b of batch) b.reject(error);
      return;
    }
    batch.forEach((b, i) => b.resolve(out[i]!));
  }
}
