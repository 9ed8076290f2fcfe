import { Injectable, OnModuleInit } from '@nestjs/common';
import { MetricsService } from '@suite/metrics';
import { JobDurationStats, TaskQueues } from '@suite/queues';

/** Queue depths (read at each scrape) and the fleet's job durations, in the gateway's /metrics. */
@Injectable()
export class QueueMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly queues: TaskQueues,
    private readonly durations: JobDurationStats,
  ) {}

  onModuleInit(): void {
    this.metrics.beforeScrape(async () => {
      const counts = await this.queues.counts();
      for (const [queue, states] of Object.entries(counts)) {
        for (const [state, count] of Object.entries(states)) this.metrics.queueJobs.set({ queue, state }, count);
      }
    });
    this.metrics.extraText(async () => {
      const lines = ['# HELP job_duration_seconds Job processing time across all task workers', '# TYPE job_duration_seconds histogram'];
      for (const histogram of await this.durations.read()) {
        const labels = `queue="${histogram.queue}",outcome="${histogram.outcome}"`;
        for (const bucket of histogram.buckets) lines.push(`job_duration_seconds_bucket{${labels},le="${bucket.le}"} ${bucket.count}`);
        lines.push(`job_duration_seconds_sum{${labels}} ${histogram.sum}`, `job_duration_seconds_count{${labels}} ${histogram.count}`);
      }
      return `${lines.join('\n')}\n`;
    });
  }
}
