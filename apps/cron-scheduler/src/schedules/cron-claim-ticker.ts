import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '@suite/config';
import { CronDispatcher, CronRunCounts } from '@suite/cron-schedules';
import { asError } from '@suite/logging';

const CLAIM_INTERVAL = 'cron-claims';
const SUMMARY_INTERVAL = 'cron-summary';
const SUMMARY_EVERY_MS = 60_000;
const COUNTS_INTERVAL = 'cron-run-counts';
/** How often this instance adds its run counts to the fleet's (the gateway's /metrics reads them). */
const COUNTS_EVERY_MS = 5000;

/**
 * Drives the user schedules from @nestjs/schedule intervals: every CRON_CLAIM_INTERVAL_MS one
 * claim step (a read of the due sorted set: its cost follows the due schedules, not all of them),
 * every minute a `cron_runs` log line with the runs per outcome, and every 5 s those counts added
 * to the fleet's in Redis (`cron_runs_total` in the gateway's /metrics). Off, like TASK.*, while
 * UNIFIED_REGISTRY_ENABLED=false. On shutdown it stops claiming and lets started runs end.
 */
@Injectable()
export class CronClaimTicker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('CronScheduler');
  private reported = new Map<string, number>();
  private flushed = new Map<string, number>();
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly config: AppConfig,
    private readonly dispatcher: CronDispatcher,
    private readonly scheduler: SchedulerRegistry,
    private readonly runCounts: CronRunCounts,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.UNIFIED_REGISTRY_ENABLED) {
      this.logger.log({ event: 'cron_user_schedules_disabled', reason: 'UNIFIED_REGISTRY_ENABLED=false' });
      return;
    }
    this.scheduler.addInterval(CLAIM_INTERVAL, setInterval(() => void this.dispatcher.step(), this.config.CRON_CLAIM_INTERVAL_MS));
    this.scheduler.addInterval(SUMMARY_INTERVAL, setInterval(() => this.summarize(), SUMMARY_EVERY_MS));
    this.scheduler.addInterval(COUNTS_INTERVAL, setInterval(() => void this.flushCounts(), COUNTS_EVERY_MS));
    this.logger.log({ event: 'cron_user_schedules_started', keyspace: this.config.CRON_KEYSPACE, claim_interval_ms: this.config.CRON_CLAIM_INTERVAL_MS });
    void this.dispatcher.step();
  }

  async beforeApplicationShutdown(): Promise<void> {
    for (const name of [CLAIM_INTERVAL, SUMMARY_INTERVAL, COUNTS_INTERVAL]) {
      if (this.scheduler.doesExist('interval', name)) this.scheduler.deleteInterval(name);
    }
    await this.dispatcher.drain();
    this.summarize();
    await this.flushCounts();
  }

  /** Adds the runs counted since the last flush to the fleet's counts, one flush at a time; a failed one is retried with the next. */
  private flushCounts(): Promise<void> {
    this.flushing = this.flushing.then(() => this.flushOnce());
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    const totals = new Map(this.dispatcher.counters);
    const since = new Map([...totals].map(([outcome, total]) => [outcome, total - (this.flushed.get(outcome) ?? 0)]));
    try {
      await this.runCounts.add(since);
      this.flushed = totals;
    } catch (error) {
      this.logger.warn({ event: 'cron_run_counts_flush_failed', err: asError(error) });
    }
  }

  /** Runs per outcome since the last line (claimed, queued, skipped_overlap, skipped_paused, quota_exceeded, failed, deferred, …). */
  private summarize(): void {
    const runs: Record<string, number> = {};
    for (const [outcome, total] of this.dispatcher.counters) {
      const since = total - (this.reported.get(outcome) ?? 0);
      if (since > 0) runs[outcome] = since;
    }
    this.reported = new Map(this.dispatcher.counters);
    if (Object.keys(runs).length > 0) this.logger.log({ event: 'cron_runs', runs, running: this.dispatcher.running });
  }
}
