import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '@suite/config';
import { CronDispatcher } from '@suite/cron-schedules';

const CLAIM_INTERVAL = 'cron-claims';
const SUMMARY_INTERVAL = 'cron-summary';
const SUMMARY_EVERY_MS = 60_000;

/**
 * Drives the user schedules from @nestjs/schedule intervals: every CRON_CLAIM_INTERVAL_MS one
 * claim step (a read of the due sorted set: its cost follows the due schedules, not all of them),
 * and every minute a `cron_runs` log line with the runs per outcome. Off, like TASK.*, while
 * UNIFIED_REGISTRY_ENABLED=false. On shutdown it stops claiming and lets started runs end.
 */
@Injectable()
export class CronClaimTicker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('CronScheduler');
  private reported = new Map<string, number>();

  constructor(
    private readonly config: AppConfig,
    private readonly dispatcher: CronDispatcher,
    private readonly scheduler: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.UNIFIED_REGISTRY_ENABLED) {
      this.logger.log({ event: 'cron_user_schedules_disabled', reason: 'UNIFIED_REGISTRY_ENABLED=false' });
      return;
    }
    this.scheduler.addInterval(CLAIM_INTERVAL, setInterval(() => void this.dispatcher.step(), this.config.CRON_CLAIM_INTERVAL_MS));
    this.scheduler.addInterval(SUMMARY_INTERVAL, setInterval(() => this.summarize(), SUMMARY_EVERY_MS));
    this.logger.log({ event: 'cron_user_schedules_started', keyspace: this.config.CRON_KEYSPACE, claim_interval_ms: this.config.CRON_CLAIM_INTERVAL_MS });
    void this.dispatcher.step();
  }

  async beforeApplicationShutdown(): Promise<void> {
    for (const name of [CLAIM_INTERVAL, SUMMARY_INTERVAL]) {
      if (this.scheduler.doesExist('interval', name)) this.scheduler.deleteInterval(name);
    }
    await this.dispatcher.drain();
    this.summarize();
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
