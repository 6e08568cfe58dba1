import { afterEach, describe, expect, it } from 'vitest';
import { envCount } from '../../bench/env.js';

describe('benchmark settings from the environment', () => {
  afterEach(() => {
    delete process.env.BENCH_TEST_COUNT;
  });

  it('takes the default when the variable is unset or empty', () => {
    expect(envCount('BENCH_TEST_COUNT', 7)).toBe(7);
    process.env.BENCH_TEST_COUNT = '';
    expect(envCount('BENCH_TEST_COUNT', 7)).toBe(7);
  });

  it('takes a positive whole number', () => {
    process.env.BENCH_TEST_COUNT = '1500';
    expect(envCount('BENCH_TEST_COUNT', 7)).toBe(1500);
  });

  it.each(['abc', '0', '-3', '2.5', 'Infinity'])('refuses %j, naming the variable', (raw) => {
    process.env.BENCH_TEST_COUNT = raw;
    expect(() => envCount('BENCH_TEST_COUNT', 7)).toThrow(`BENCH_TEST_COUNT must be a positive whole number, got "${raw}"`);
  });
});
