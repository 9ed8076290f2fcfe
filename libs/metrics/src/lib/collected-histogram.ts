import type { Registry } from 'prom-client';
import type { PromMetricValues } from './prom-metric';

/** One series of a histogram kept elsewhere: cumulative counts per upper bound, `+Inf` last. */
export interface HistogramSeries {
  labels: Record<string, string>;
  buckets: Array<{ le: string; count: number }>;
  sum: number;
  count: number;
}

export interface CollectedHistogramOptions {
  name: string;
  help: string;
  /** Reads the series at each scrape (e.g. from Redis, where a whole fleet adds to them). */
  collect: () => Promise<HistogramSeries[]>;
  registers: Registry[];
}

/**
 * A histogram whose series are not observed in this process but read when the registry is scraped:
 * a metric of prom-client's registry like the others, rendered by it.
 */
export class CollectedHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';

  constructor(private readonly options: CollectedHistogramOptions) {
    for (const registry of options.registers) registry.registerMetric(this as never);
  }

  get name(): string {
    return this.options.name;
  }

  get help(): string {
    return this.options.help;
  }

  async get(): Promise<PromMetricValues> {
    const { name, help } = this.options;
    const values: PromMetricValues['values'] = [];
    for (const series of await this.options.collect()) {
      for (const bucket of series.buckets) values.push({ metricName: `${name}_bucket`, labels: { le: bucket.le }, sharedLabels: series.labels, value: bucket.count });
      values.push({ metricName: `${name}_sum`, labels: {}, sharedLabels: series.labels, value: series.sum });
      values.push({ metricName: `${name}_count`, labels: {}, sharedLabels: series.labels, value: series.count });
    }
    return { name, help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    // Nothing is kept here: the series live where `collect` reads them.
  }
}
