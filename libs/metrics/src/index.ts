export { MetricsModule } from './lib/metrics.module';
export { MetricsService } from './lib/metrics.service';
