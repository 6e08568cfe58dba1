/**
 * Runs a task every interval with jitter on an injectable clock: never two runs at once,
 * timers unref'd (the system clock's are), and `stop()` waits for the run in flight.
 */
import type { Clock, TimerHandle } from '../core/clock.js';

export class PeriodicRunner {
  private timer: TimerHandle | undefined;
  private inFlight: Promise<void> | undefined;
  private active = false;

  constructor(
    private readonly clock: Clock,
    private readonly task: () => Promise<void>,
    private readonly onError: (error: unknown) => void,
    private readonly random: () => number = Math.random,
  ) {}

  get running(): boolean {
    return this.active;
  }

  /** Starts (or restarts) with the given interval; the first run comes after one jittered interval. */
  start(intervalMs: number, jitter = 0.1): void {
    this.stopTimer();
    this.active = true;
    const schedule = (): void => {
      if (!this.active) return;
      const spread = intervalMs * jitter;
      const delay = Math.max(0, Math.round(intervalMs + (this.random() * 2 - 1) * spread));
      this.timer = this.clock.setTimeout(() => void this.tick().finally(schedule), delay);
    };
    schedule();
  }

  /** Runs now unless a run is in flight (then returns that run). */
  runNow(): Promise<void> {
    return this.tick();
  }

  async stop(): Promise<void> {
    this.active = false;
    this.stopTimer();
    await this.inFlight;
  }

  private tick(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    this.inFlight = (async () => {
      await Promise.resolve(); // the assignment above happens before the run can finish
      try {
        await this.task();
      } catch (error) {
        this.onError(error);
      } finally {
        this.inFlight = undefined;
      }
    })();
    return this.inFlight;
  }

  private stopTimer(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }
}
