export { MetricsModule } from './lib/metrics.module';
export { MetricsService } from './lib/metrics.service';
export { LabelPairHistogram } from './lib/label-pair-histogram';
export { CollectedHistogram } from './lib/collected-histogram';
export type { HistogramSeries } from './lib/collected-histogram';
