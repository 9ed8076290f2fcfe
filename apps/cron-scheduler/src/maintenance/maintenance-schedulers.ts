import { InjectQueue } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '@suite/config';
import { MAINTENANCE_JOB_NAMES } from '@suite/job-contracts';
import { asError } from '@suite/logging';
import { Queue } from 'bullmq';
import { maintenanceIntervals } from './maintenance-intervals';

const REFRESH_INTERVAL = 'maintenance-schedulers-refresh';
const REFRESH_EVERY_MS = 60_000;

const JOB_OPTIONS = { removeOnComplete: { age: 3600, count: 1000 }, removeOnFail: { age: 86_400 } };

/**
 * The maintenance jobs run from BullMQ job schedulers on the `maintenance` queue, one per job
 * (scheduler id = job name), each `every` its own interval setting. BullMQ keeps one next job per
 * scheduler in Redis, so any number of cron-scheduler instances upserting the same schedulers
 * produce one job per interval, and no jobs pile up while no worker serves the queue.
 *
 * Upserted at start-up (before the app reports started), then again every minute: BullMQ adds a
 * scheduler's next job when a worker takes the current one and gives up if that write fails, and
 * an upsert adds it back. An upsert while the next job waits only replaces it at the same time.
 * Schedulers of jobs that no longer exist are removed.
 */
@Injectable()
export class MaintenanceSchedulers implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('MaintenanceSchedulers');

  constructor(
    private readonly config: AppConfig,
    @InjectQueue('maintenance') private readonly queue: Queue,
    private readonly scheduler: SchedulerRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.upsertAll();
    this.logger.log({ event: 'maintenance_schedulers_upserted', every_ms: maintenanceIntervals(this.config) });
    this.scheduler.addInterval(REFRESH_INTERVAL, setInterval(() => void this.refresh(), REFRESH_EVERY_MS));
  }

  beforeApplicationShutdown(): void {
    if (this.scheduler.doesExist('interval', REFRESH_INTERVAL)) this.scheduler.deleteInterval(REFRESH_INTERVAL);
  }

  async upsertAll(): Promise<void> {
    const intervals = maintenanceIntervals(this.config);
    for (const job of MAINTENANCE_JOB_NAMES) {
      await this.queue.upsertJobScheduler(job, { every: intervals[job] }, { name: job, data: {}, opts: JOB_OPTIONS });
    }
    await this.removeRetired();
  }

  private async refresh(): Promise<void> {
    try {
      await this.upsertAll();
    } catch (error) {
      this.logger.warn({ event: 'maintenance_schedulers_refresh_failed', error: asError(error).message });
    }
  }

  private async removeRetired(): Promise<void> {
    const current = new Set<string>(MAINTENANCE_JOB_NAMES);
    for (const existing of await this.queue.getJobSchedulers()) {
      if (current.has(existing.key)) continue;
      await this.queue.removeJobScheduler(existing.key);
      // BullMQ drops a removed scheduler's next job only while it is delayed; one already waiting would fail as unknown.
      if (existing.next !== undefined) await this.queue.remove(`repeat:${existing.key}:${existing.next}`).catch(() => 0);
      this.logger.log({ event: 'maintenance_scheduler_removed', scheduler_id: existing.key });
    }
  }
}
