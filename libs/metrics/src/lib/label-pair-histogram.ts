export interface LabelPairHistogramOptions {
  name: string;
  help: string;
  labelNames: readonly [string, string];
  /** Upper bounds, ascending; `+Inf` is implied. */
  buckets: readonly number[];
}

interface Series {
  /** Observations per bucket (not cumulative); the last slot is `+Inf`. */
  counts: Float64Array;
  sum: number;
  count: number;
}

/**
 * A Prometheus histogram with exactly two labels, for a hot path: an observation is two map lookups
 * and a bucket search (tens of nanoseconds), where prom-client's Histogram builds and validates a
 * label hash on every call (about 850 ns measured). It renders the same exposition text as
 * prom-client's Histogram.
 */
export class LabelPairHistogram {
  private readonly series = new Map<string, Map<string, Series>>();
  private readonly bounds: Float64Array;

  constructor(private readonly options: LabelPairHistogramOptions) {
    const { buckets } = options;
    if (buckets.length === 0 || buckets.some((bound, index) => !Number.isFinite(bound) || (index > 0 && bound <= buckets[index - 1]))) {
      throw new TypeError(`${options.name}: buckets must be finite and strictly ascending`);
    }
    if (options.labelNames.includes('le') || options.labelNames[0] === options.labelNames[1]) {
      throw new TypeError(`${options.name}: two distinct label names other than "le" are needed`);
    }
    this.bounds = Float64Array.from(buckets);
  }

  get name(): string {
    return this.options.name;
  }

  observe(first: string, second: string, value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`${this.options.name}: not a finite number: ${value}`);
    let bySecond = this.series.get(first);
    if (!bySecond) {
      bySecond = new Map();
      this.series.set(first, bySecond);
    }
    let series = bySecond.get(second);
    if (!series) {
      series = { counts: new Float64Array(this.bounds.length + 1), sum: 0, count: 0 };
      bySecond.set(second, series);
    }
    let bucket = 0;
    while (bucket < this.bounds.length && value > this.bounds[bucket]) bucket++;
    series.counts[bucket] += 1;
    series.sum += value;
    series.count += 1;
  }

  /** The Prometheus text exposition (format 0.0.4), as prom-client writes it for a Histogram. */
  render(): string {
    const { name, help, labelNames } = this.options;
    const lines = [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} histogram`];
    for (const [first, bySecond] of this.series) {
      for (const [second, series] of bySecond) {
        const labels = `${labelNames[0]}="${escapeLabelValue(first)}",${labelNames[1]}="${escapeLabelValue(second)}"`;
        let cumulative = 0;
        for (let bucket = 0; bucket < this.bounds.length; bucket++) {
          cumulative += series.counts[bucket];
          lines.push(`${name}_bucket{le="${this.bounds[bucket]}",${labels}} ${cumulative}`);
        }
        lines.push(`${name}_bucket{le="+Inf",${labels}} ${series.count}`);
        lines.push(`${name}_sum{${labels}} ${series.sum}`);
        lines.push(`${name}_count{${labels}} ${series.count}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}
