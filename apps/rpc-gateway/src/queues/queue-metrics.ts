import { Injectable, OnModuleInit } from '@nestjs/common';
import { CollectedHistogram, MetricsService } from '@suite/metrics';
import { JobDurationStats, TaskQueues } from '@suite/queues';
import { Gauge } from 'prom-client';

/** Queue depths and the fleet's job durations, read from Redis at each scrape of the gateway's /metrics. */
@Injectable()
export class QueueMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly queues: TaskQueues,
    private readonly durations: JobDurationStats,
  ) {}

  onModuleInit(): void {
    const queues = this.queues;
    new Gauge({
      name: 'queue_jobs',
      help: 'Jobs per queue and state, read from Redis when scraped',
      labelNames: ['queue', 'state'] as const,
      registers: [this.metrics.registry],
      async collect() {
        for (const [queue, states] of Object.entries(await queues.counts())) {
          for (const [state, count] of Object.entries(states)) this.set({ queue, state }, count);
        }
      },
    });
    new CollectedHistogram({
      name: 'job_duration_seconds',
      help: 'Job processing time across all task workers',
      registers: [this.metrics.registry],
      collect: async () =>
        (await this.durations.read()).map(({ queue, outcome, buckets, sum, count }) => ({ labels: { queue, outcome }, buckets, sum, count })),
    });
  }
}
