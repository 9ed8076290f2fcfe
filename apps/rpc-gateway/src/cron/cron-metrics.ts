import { Injectable, OnModuleInit } from '@nestjs/common';
import { CronRunCounts } from '@suite/cron-schedules';
import { MetricsService } from '@suite/metrics';
import { Counter, Gauge } from 'prom-client';

/**
 * The cron schedulers' numbers, read from Redis at each scrape of the gateway's /metrics (the
 * schedulers have no HTTP): `cron_runs_total{outcome}` summed over every instance (each adds its
 * counts every 5 s), `cron_schedules{state="active"}` and `cron_schedules{state="running"}`.
 */
@Injectable()
export class CronMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly counts: CronRunCounts,
  ) {}

  onModuleInit(): void {
    const counts = this.counts;
    let snapshot: ReturnType<CronRunCounts['snapshot']> | null = null;
    /** Both gauges read one snapshot per scrape. */
    const read = () => (snapshot ??= counts.snapshot().finally(() => setImmediate(() => (snapshot = null))));
    new Counter({
      name: 'cron_runs_total',
      help: 'Runs of user cron schedules by outcome, over all scheduler instances (a counter kept in Redis)',
      labelNames: ['outcome'] as const,
      registers: [this.metrics.registry],
      async collect() {
        const { runs } = await read();
        this.reset(); // the fleet's running total, as kept in Redis
        for (const [outcome, total] of Object.entries(runs)) this.inc({ outcome }, total);
      },
    });
    new Gauge({
      name: 'cron_schedules',
      help: 'User cron schedules: active (due at a future tick) and running (runs claimed, not yet recorded)',
      labelNames: ['state'] as const,
      registers: [this.metrics.registry],
      async collect() {
        const { activeSchedules, runsInFlight } = await read();
        this.set({ state: 'active' }, activeSchedules);
        this.set({ state: 'running' }, runsInFlight);
      },
    });
  }
}
