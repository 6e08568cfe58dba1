import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/core/breaker.js';
import { DEFAULT_BREAKER } from '../../src/core/policy.js';

const policy = { ...DEFAULT_BREAKER, openMs: 1_000, maxOpenMs: 8_000, jitter: 0, halfOpenMaxCalls: 1, halfOpenMaxMs: 5_000 };

describe('CircuitBreaker', () => {
  it('opens on a trip, moves to half-open after the open time, closes on a half-open success', () => {
    const changes: string[] = [];
    const b = new CircuitBreaker(
      policy,
      () => 0.5,
      (f, t) => changes.push(`${f}->${t}`),
    );
    expect(b.acquire(0)).toBe('closed');
    b.onFailure('closed', b.generation, 0, '5 consecutive failures');
    expect(b.state).toBe('open');
    expect(b.openUntil).toBe(1_000);
    expect(b.acquire(999)).toBe('open');
    expect(b.acquire(1_000)).toBe('half_open');
    const gen = b.generation;
    expect(b.acquire(1_001)).toBe('half_open_busy'); // other callers are not queued behind the probe
    b.onSuccess('half_open', gen, 1_100);
    expect(b.state).toBe('closed');
    expect(changes).toEqual(['closed->open', 'open->half_open', 'half_open->closed']);
  });

  it('re-opens for exponentially longer, capped', () => {
    const b = new CircuitBreaker(policy, () => 0.5);
    b.onFailure('closed', b.generation, 0, 'trip');
    const durations: number[] = [];
    let now: number;
    for (let i = 0; i < 6; i++) {
      now = b.openUntil!;
      expect(b.acquire(now)).toBe('half_open');
      b.onFailure('half_open', b.generation, now, null);
      durations.push(b.openUntil! - now);
    }
    expect(durations).toEqual([2_000, 4_000, 8_000, 8_000, 8_000, 8_000]);
  });

  it('applies jitter within the configured fraction', () => {
    const lo = new CircuitBreaker({ ...policy, jitter: 0.2 }, () => 0);
    lo.onFailure('closed', lo.generation, 0, 'trip');
    const hi = new CircuitBreaker({ ...policy, jitter: 0.2 }, () => 0.999);
    hi.onFailure('closed', hi.generation, 0, 'trip');
    expect(lo.openUntil).toBe(800);
    expect(hi.openUntil).toBeGreaterThan(1_190);
  });

  it('ignores results of calls started before a state change', () => {
    const b = new CircuitBreaker(policy, () => 0.5);
    const oldGen = b.generation;
    b.onFailure('closed', oldGen, 0, 'trip'); // opens
    expect(b.acquire(1_000)).toBe('half_open');
    const probeGen = b.generation;
    b.onSuccess('closed', oldGen, 1_001); // a late success of a call started while closed
    expect(b.state).toBe('half_open');
    b.onFailure('closed', oldGen, 1_002, 'stale trip');
    expect(b.state).toBe('half_open');
    b.onSuccess('half_open', probeGen, 1_003);
    expect(b.state).toBe('closed');
  });

  it('re-opens when half-open gives no verdict within its limit', () => {
    const b = new CircuitBreaker(policy, () => 0.5);
    b.onFailure('closed', b.generation, 0, 'trip');
    expect(b.acquire(1_000)).toBe('half_open');
    expect(b.acquire(1_000 + 5_001)).toBe('open');
    expect(b.state).toBe('open');
  });

  it('operator overrides: isolate refuses everything, forced closed admits everything, reset closes', () => {
    const b = new CircuitBreaker(policy, () => 0.5);
    b.isolate(0);
    expect(b.acquire(10_000_000)).toBe('isolated');
    b.forceClosed(1);
    b.onFailure('closed', b.generation, 2, 'trip');
    expect(b.acquire(3)).toBe('closed');
    b.tripFor(4, 10_000, 'auth');
    expect(b.state).toBe('forced_closed');
    b.reset(5);
    expect(b.state).toBe('closed');
  });

  it('a successful probe moves open to half-open, and half-open to closed', () => {
    const b = new CircuitBreaker(policy, () => 0.5);
    b.tripFor(0, 60_000, 'auth');
    b.probeSucceeded(10, true);
    expect(b.state).toBe('half_open');
    b.probeSucceeded(20, true);
    expect(b.state).toBe('closed');
  });

  it('snapshot and restore keep an open circuit open until its time', () => {
    const b = new CircuitBreaker(policy, () => 0.5);
    b.onFailure('closed', b.generation, 0, 'trip');
    const c = new CircuitBreaker(policy, () => 0.5);
    c.restore(JSON.parse(JSON.stringify(b.snapshot())));
    expect(c.acquire(500)).toBe('open');
    expect(c.acquire(1_000)).toBe('half_open');
  });
});
