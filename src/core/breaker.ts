/**
 * Circuit breaker: closed / open / half-open with bounded probe permits, growing jittered
 * open durations, operator overrides, and a generation number so that results of calls
 * started before a state change are ignored.
 */
import type { BreakerState } from './health.js';
import type { BreakerPolicy } from './policy.js';

export interface BreakerSnapshot {
  state: BreakerState;
  openUntil: number | null;
  reopenCount: number;
  halfOpenSince: number | null;
  openReason: string | null;
}

export type PermitVerdict = 'closed' | 'half_open' | 'open' | 'half_open_busy' | 'isolated';

export class CircuitBreaker {
  private _state: BreakerState = 'closed';
  private _openUntil = 0;
  private _reopenCount = 0;
  private halfOpenSince = 0;
  private halfOpenInFlight = 0;
  private _openReason: string | null = null;
  /** Bumped on every state change; a permit from an older generation no longer moves the breaker. */
  generation = 0;

  constructor(
    private readonly policy: BreakerPolicy,
    private readonly random: () => number = Math.random,
    private readonly onChange?: (from: BreakerState, to: BreakerState, reason: string) => void,
  ) {}

  get state(): BreakerState {
    return this._state;
  }
  get openUntil(): number | null {
    return this._state === 'open' ? this._openUntil : null;
  }
  get reopenCount(): number {
    return this._reopenCount;
  }
  get openReason(): string | null {
    return this._openReason;
  }

  /** The state as seen at `now`: an open circuit whose time has come reads as half-open. */
  stateAt(now: number): BreakerState {
    if (this._state === 'open' && now >= this._openUntil) return 'half_open';
    return this._state;
  }

  /** Would a call be admitted now (without taking a permit)? */
  admits(now: number): boolean {
    const s = this.stateAt(now);
    if (s === 'closed' || s === 'forced_closed') return true;
    if (s === 'half_open')
      return this._state === 'open' || this.halfOpenInFlight < this.policy.halfOpenMaxCalls || this.halfOpenExpired(now);
    return false;
  }

  /** Takes a permit. 'closed' and 'half_open' admit the call; the others reject it. */
  acquire(now: number): PermitVerdict {
    switch (this._state) {
      case 'closed':
      case 'forced_closed':
        return 'closed';
      case 'isolated':
        return 'isolated';
      case 'open':
        if (now < this._openUntil) return 'open';
        this.transition('half_open', 'open duration elapsed', now);
        break;
      case 'half_open':
        if (this.halfOpenExpired(now)) {
          this.open(now, 'no verdict within the half-open limit');
          return 'open';
        }
        break;
    }
    if (this.halfOpenInFlight >= this.policy.halfOpenMaxCalls) return 'half_open_busy';
    this.halfOpenInFlight++;
    return 'half_open';
  }

  /** Releases a half-open permit without a verdict (the call was abandoned locally). */
  release(verdict: PermitVerdict, generation: number): void {
    if (verdict === 'half_open' && generation === this.generation && this.halfOpenInFlight > 0) this.halfOpenInFlight--;
  }

  onSuccess(verdict: PermitVerdict, generation: number, now: number): void {
    if (generation !== this.generation) return;
    if (verdict === 'half_open' && this._state === 'half_open') {
      this.halfOpenInFlight = Math.max(0, this.halfOpenInFlight - 1);
      this._reopenCount = 0;
      this.transition('closed', 'half-open call succeeded', now);
    }
  }

  /** A failed call. `trip` says whether the closed-state rules want the circuit open. */
  onFailure(verdict: PermitVerdict, generation: number, now: number, trip: string | null): void {
    if (generation !== this.generation) return;
    if (verdict === 'half_open' && this._state === 'half_open') {
      this.halfOpenInFlight = Math.max(0, this.halfOpenInFlight - 1);
      this._reopenCount++;
      this.open(now, 'half-open call failed');
      return;
    }
    if (this._state === 'closed' && trip) this.open(now, trip);
  }

  /** Opens at once for a fixed duration (auth failure), regardless of the rules. */
  tripFor(now: number, ms: number, reason: string): void {
    if (this._state === 'isolated' || this._state === 'forced_closed') return;
    this.halfOpenInFlight = 0;
    this._openUntil = now + ms;
    this._openReason = reason;
    this.transition('open', reason, now);
  }

  /**
   * A passing out-of-band probe. It may move an open circuit to half-open (the next real call
   * decides); it closes a half-open circuit only when it `decides` (no real traffic failed in
   * this episode, or the probe exercises the same operation as real calls).
   */
  probeSucceeded(now: number, decides: boolean): void {
    if (this._state === 'open') this.transition('half_open', 'probe succeeded: the next call decides', now);
    else if (this._state === 'half_open' && decides) {
      this._reopenCount = 0;
      this.halfOpenInFlight = 0;
      this.transition('closed', 'probe succeeded', now);
    }
  }

  /**
   * The panic trial: an open circuit admits one call before its open period ends, as a
   * half-open call (bounded by the half-open permits; its verdict closes or re-opens the circuit).
   */
  acquireTrial(now: number): PermitVerdict {
    if (this._state === 'open') this.transition('half_open', 'panic trial: no provider was usable', now);
    return this.acquire(now);
  }

  isolate(now: number): void {
    this.halfOpenInFlight = 0;
    this.transition('isolated', 'isolated by operator', now);
  }

  forceClosed(now: number): void {
    this.halfOpenInFlight = 0;
    this.transition('forced_closed', 'forced closed by operator', now);
  }

  reset(now: number): void {
    this.halfOpenInFlight = 0;
    this._reopenCount = 0;
    this._openReason = null;
    this.transition('closed', 'reset by operator', now);
  }

  snapshot(): BreakerSnapshot {
    return {
      state: this._state,
      openUntil: this._state === 'open' ? this._openUntil : null,
      reopenCount: this._reopenCount,
      halfOpenSince: this._state === 'half_open' ? this.halfOpenSince : null,
      openReason: this._openReason,
    };
  }

  restore(s: BreakerSnapshot): void {
    // A half-open circuit restored after a restart has no probe in flight: it starts half-open afresh.
    this._state = s.state;
    this._openUntil = s.openUntil ?? 0;
    this._reopenCount = s.reopenCount;
    this.halfOpenSince = s.halfOpenSince ?? 0;
    this._openReason = s.openReason;
    this.halfOpenInFlight = 0;
    this.generation++;
  }

  private open(now: number, reason: string): void {
    const base = Math.min(this.policy.maxOpenMs, this.policy.openMs * this.policy.backoffMultiplier ** this._reopenCount);
    const jitter = 1 + this.policy.jitter * (2 * this.random() - 1);
    this._openUntil = now + Math.round(Math.min(this.policy.maxOpenMs, base * jitter));
    this._openReason = reason;
    this.transition('open', reason, now);
  }

  private halfOpenExpired(now: number): boolean {
    return this._state === 'half_open' && now - this.halfOpenSince > this.policy.halfOpenMaxMs;
  }

  private transition(to: BreakerState, reason: string, now: number): void {
    const from = this._state;
    if (to === 'half_open') this.halfOpenSince = now;
    if (to === 'closed') this._openReason = null;
    this._state = to;
    this.generation++;
    if (from !== to) this.onChange?.(from, to, reason);
  }
}
