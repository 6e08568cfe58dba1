/**
 * Counters, gauges and histograms for the request hot path, exposed through a prom-client
 * Registry. prom-client validates and hashes the label object on every `inc()` / `observe()`,
 * even through a `labels()` child; a gateway request makes about eight such calls. Here each
 * label set is one plain cell found once and then updated with a field write; prom-client's
 * Registry still formats the exposition (it reads `get()` at scrape time), so the text is the
 * same as with its own metric classes.
 */
import type { Metric, Registry } from 'prom-client';

type Labels = Record<string, string>;

interface MetricValue {
  value: number;
  labels: Labels;
  metricName?: string;
}

interface MetricSnapshot {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  values: MetricValue[];
  aggregator: 'sum';
}

/** One label set of a counter or gauge. */
export class ValueCell {
  value = 0;
  constructor(readonly labels: Labels) {}
  inc(): void {
    this.value++;
  }
  dec(): void {
    this.value--;
  }
}

/** One label set of a histogram: a count per bucket (not cumulative), the sum and the count. */
export class HistogramCell {
  readonly buckets: number[];
  sum = 0;
  count = 0;
  constructor(
    readonly labels: Labels,
    private readonly bounds: readonly number[],
  ) {
    this.buckets = bounds.map(() => 0);
  }
  observe(v: number): void {
    this.sum += v;
    this.count++;
    const b = this.bounds;
    for (let i = 0; i < b.length; i++) {
      if (v <= b[i]!) {
        this.buckets[i]!++;
        return;
      }
    }
  }
}

abstract class HotFamily<C> {
  readonly aggregator = 'sum' as const;
  private readonly cells = new Map<string, C>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Metric);
  }

  /** The cell of these label values (in labelNames order), created on first use. */
  cell(...values: string[]): C {
    const key = values.length === 1 ? values[0]! : values.join('\u0000');
    let c = this.cells.get(key);
    if (c === undefined) {
      if (values.length !== this.labelNames.length) throw new RangeError(`${this.name} takes ${this.labelNames.length} label values`);
      const labels: Labels = {};
      this.labelNames.forEach((n, i) => (labels[n] = values[i]!));
      c = this.create(labels);
      this.cells.set(key, c);
    }
    return c;
  }

  /** Zeroes every cell (prom-client's Registry.resetMetrics); cells handed out stay attached. */
  reset(): void {
    for (const c of this.cells.values()) this.zero(c);
  }

  protected all(): IterableIterator<C> {
    return this.cells.values();
  }

  protected abstract create(labels: Labels): C;
  protected abstract zero(cell: C): void;
  abstract get(): MetricSnapshot;
}

/** A counter (`type: 'counter'`) or a gauge moved with inc/dec (`type: 'gauge'`). */
export class HotValues extends HotFamily<ValueCell> {
  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    registry: Registry,
    readonly type: 'counter' | 'gauge',
  ) {
    super(name, help, labelNames, registry);
  }
  protected create(labels: Labels): ValueCell {
    return new ValueCell(labels);
  }
  protected zero(cell: ValueCell): void {
    cell.value = 0;
  }
  get(): MetricSnapshot {
    const values: MetricValue[] = [];
    for (const c of this.all()) values.push({ value: c.value, labels: { ...c.labels } });
    // An unlabelled metric reads 0 before its first update, as prom-client's own do.
    if (values.length === 0 && this.labelNames.length === 0) values.push({ value: 0, labels: {} });
    return { name: this.name, help: this.help, type: this.type, values, aggregator: 'sum' };
  }
}

export class HotHistogram extends HotFamily<HistogramCell> {
  readonly type = 'histogram' as const;
  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    registry: Registry,
    readonly bounds: readonly number[],
  ) {
    super(name, help, labelNames, registry);
  }
  protected create(labels: Labels): HistogramCell {
    return new HistogramCell(labels, this.bounds);
  }
  protected zero(cell: HistogramCell): void {
    cell.buckets.fill(0);
    cell.sum = 0;
    cell.count = 0;
  }
  get(): MetricSnapshot {
    const values: MetricValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const c of this.all()) {
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += c.buckets[i]!;
        values.push({ value: cumulative, labels: { le: String(le), ...c.labels }, metricName: bucket });
      });
      values.push({ value: c.count, labels: { le: '+Inf', ...c.labels }, metricName: bucket });
      values.push({ value: c.sum, labels: { ...c.labels }, metricName: `${this.name}_sum` });
      values.push({ value: c.count, labels: { ...c.labels }, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: 'histogram', values, aggregator: 'sum' };
  }
}
