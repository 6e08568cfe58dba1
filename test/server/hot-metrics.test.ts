import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HotHistogram, HotValues } from '../../src/server/metrics/hot-metrics.js';

describe('hot metrics', () => {
  it('expose the same text as prom-client\'s own Histogram for the same observations', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const bounds = [0.001, 0.01, 0.1, 1];
    const hot = new HotHistogram('lat_seconds', 'Latency.', ['capability', 'outcome'], ours, bounds);
    const ref = new Histogram({ name: 'lat_seconds', help: 'Latency.', labelNames: ['capability', 'outcome'], buckets: bounds, registers: [theirs] });
    // On a bound, between bounds, above the last bound, and a second label set.
    const samples: [string, string, number][] = [['crm_sync', 'success', 0.001], ['crm_sync', 'success', 0.05], ['crm_sync', 'success', 7], ['crm_sync', 'failure', 0.0001]];
    for (const [c, o, v] of samples) {
      hot.cell(c, o).observe(v);
      ref.observe({ capability: c, outcome: o }, v);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it('counts and gauges keep one cell per label set; an unlabelled one reads 0 before any update', async () => {
    const registry = new Registry();
    const requests = new HotValues('req_total', 'Requests.', ['route', 'status'], registry, 'counter');
    const inFlight = new HotValues('in_flight', 'In flight.', [], registry, 'gauge');
    expect((await registry.getMetricsAsJSON()).find((m) => m.name === 'in_flight')!.values).toEqual([{ value: 0, labels: {} }]);
    requests.cell('/a', '200').inc();
    requests.cell('/a', '200').inc();
    requests.cell('/a', '500').inc();
    expect(requests.cell('/a', '200')).toBe(requests.cell('/a', '200'));
    const g = inFlight.cell();
    g.inc();
    g.inc();
    g.dec();
    const json = await registry.getMetricsAsJSON();
    expect(json.find((m) => m.name === 'req_total')!.values).toEqual([
      { value: 2, labels: { route: '/a', status: '200' } },
      { value: 1, labels: { route: '/a', status: '500' } },
    ]);
    expect(json.find((m) => m.name === 'in_flight')!.values).toEqual([{ value: 1, labels: {} }]);
    expect(() => requests.cell('/a')).toThrow(RangeError);
    // A reset zeroes the cells and keeps them attached: later updates still reach the exposition.
    registry.resetMetrics();
    g.inc();
    expect((await registry.getMetricsAsJSON()).find((m) => m.name === 'in_flight')!.values).toEqual([{ value: 1, labels: {} }]);
    expect((await registry.getMetricsAsJSON()).find((m) => m.name === 'req_total')!.values.map((v) => v.value)).toEqual([0, 0]);
  });
});
