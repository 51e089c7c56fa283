/**
 * A counter and a histogram for the per-request metrics, registered on a prom-client Registry as
 * custom metrics (the `get()` contract of Registry.registerMetric). They differ from prom-client's
 * own in one thing: a series is found by its label values joined into one key, where prom-client
 * validates and hashes a label object on every call, which cost a tenth of a cached read.
 */
import type { Metric, Registry } from 'prom-client';

type Labels = Record<string, string | number>;

/** One sample as the registry prints it: `metricName{labels} value` (metricName defaults to the metric's). */
interface Sample {
  metricName?: string;
  labels: Labels;
  value: number;
}

/** What Registry.metrics() asks a registered metric for. */
interface Exposition {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  values: Sample[];
}

interface Series<T> {
  labels: Labels;
  state: T;
}

/** Series keyed by their label values, in first-seen order. */
class SeriesMap<T> {
  readonly #series = new Map<string, Series<T>>();

  constructor(private readonly labelNames: readonly string[], private readonly initial: () => T) {}

  /** The state of the series with these label values (one per label name, in order). */
  of(values: readonly string[]): T {
    const key = values.length === 1 ? values[0]! : values.join('\u0000');
    let series = this.#series.get(key);
    if (!series) {
      const labels: Labels = {};
      this.labelNames.forEach((name, i) => { labels[name] = values[i]!; });
      series = { labels, state: this.initial() };
      this.#series.set(key, series);
    }
    return series.state;
  }

  /** Every series. */
  all(): IterableIterator<Series<T>> {
    return this.#series.values();
  }

  clear(): void {
    this.#series.clear();
  }
}

/** A monotonic counter by label values. */
export class SeriesCounter {
  readonly #series: SeriesMap<{ value: number }>;

  constructor(registry: Registry, readonly name: string, readonly help: string, labelNames: readonly string[]) {
    this.#series = new SeriesMap(labelNames, () => ({ value: 0 }));
    registry.registerMetric(this.#metric() as unknown as Metric);
  }

  /** Adds one to the series with these label values. */
  inc(values: readonly string[]): void {
    this.#series.of(values).value += 1;
  }

  #metric() {
    const get = async (): Promise<Exposition> => ({
      name: this.name, help: this.help, type: 'counter', aggregator: 'sum',
      values: [...this.#series.all()].map((s) => ({ labels: s.labels, value: s.state.value })),
    });
    return { name: this.name, help: this.help, type: 'counter', aggregator: 'sum', get, reset: () => this.#series.clear() };
  }
}

interface HistogramState {
  /** Observations per bucket (not cumulative); the last slot is +Inf. */
  buckets: Float64Array;
  sum: number;
  count: number;
}

/** A histogram by label values, with fixed upper bounds. */
export class SeriesHistogram {
  readonly #series: SeriesMap<HistogramState>;

  constructor(registry: Registry, readonly name: string, readonly help: string, labelNames: readonly string[], private readonly bounds: readonly number[]) {
    this.#series = new SeriesMap(labelNames, () => ({ buckets: new Float64Array(bounds.length + 1), sum: 0, count: 0 }));
    registry.registerMetric(this.#metric() as unknown as Metric);
  }

  /** Records one observation in the series with these label values. */
  observe(values: readonly string[], value: number): void {
    const state = this.#series.of(values);
    let i = 0;
    while (i < this.bounds.length && value > this.bounds[i]!) i++;
    state.buckets[i]! += 1;
    state.sum += value;
    state.count += 1;
  }

  #metric() {
    const get = async (): Promise<Exposition> => ({
      name: this.name, help: this.help, type: 'histogram', aggregator: 'sum',
      values: [...this.#series.all()].flatMap((s) => this.#samples(s)),
    });
    return { name: this.name, help: this.help, type: 'histogram', aggregator: 'sum', get, reset: () => this.#series.clear() };
  }

  #samples({ labels, state }: Series<HistogramState>): Sample[] {
    const samples: Sample[] = [];
    let cumulative = 0;
    this.bounds.forEach((le, i) => {
      cumulative += state.buckets[i]!;
      samples.push(sample(`${this.name}_bucket`, { ...labels, le }, cumulative));
    });
    samples.push(sample(`${this.name}_bucket`, { ...labels, le: '+Inf' }, state.count));
    samples.push(sample(`${this.name}_sum`, labels, state.sum));
    samples.push(sample(`${this.name}_count`, labels, state.count));
    return samples;
  }
}

function sample(metricName: string, labels: Labels, value: number): Sample {
  return { metricName, labels, value };
}
