/** A metric as prom-client's Registry reads it (`get()` of its own metric classes). */
export interface PromMetricValues {
  name: string;
  help: string;
  type: 'histogram' | 'gauge' | 'counter';
  aggregator: 'sum';
  values: Array<{
    metricName?: string;
    labels: Record<string, string | number>;
    /** Labels common to a series (prom-client's Histogram keeps them apart from `le`). */
    sharedLabels?: Record<string, string>;
    value: number;
  }>;
}
