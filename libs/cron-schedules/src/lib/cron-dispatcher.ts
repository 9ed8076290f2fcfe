import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { asError } from '@suite/logging';
import { CronRunClaims } from './cron-run-claims';
import { CronRunner, RunResult } from './cron-runner';
import { ClaimedRun } from './schedule-records';

export type DispatchCounter = 'claimed' | 'missed_skipped' | RunResult['outcome'];

/**
 * One scheduler instance's share of the runs: each step claims as many due runs as it has free
 * run slots (CRON_RUN_CONCURRENCY), starts them, and claims again at once while the batches come
 * back full, so a burst of due schedules spreads over every instance that is up.
 */
@Injectable()
export class CronDispatcher {
  private readonly logger = new Logger('CronDispatcher');
  private readonly inFlight = new Set<Promise<void>>();
  private stepping = false;
  private backlog = false;
  private stopped = false;
  /** Totals since start, per outcome (logged periodically by the app). */
  readonly counters = new Map<DispatchCounter, number>();

  constructor(
    private readonly config: AppConfig,
    private readonly claims: CronRunClaims,
    private readonly runner: CronRunner,
  ) {}

  async step(now?: number): Promise<void> {
    if (this.stepping || this.stopped) return;
    this.stepping = true;
    try {
      for (;;) {
        const capacity = this.config.CRON_RUN_CONCURRENCY - this.inFlight.size;
        if (capacity <= 0) {
          this.backlog = true;
          return;
        }
        const limit = Math.min(capacity, this.config.CRON_CLAIM_BATCH);
        const { runs, stats } = await this.claims.claim(limit, now);
        this.count('claimed', runs.length);
        this.count('missed_skipped', stats.missedSkipped);
        for (const run of runs) this.launch(run);
        this.backlog = stats.due >= limit || runs.length >= limit;
        if (!this.backlog || this.stopped) return;
        now = undefined; // a later claim step of the same burst uses the clock again
      }
    } catch (error) {
      this.logger.warn({ event: 'cron_claim_failed', err: asError(error) });
    } finally {
      this.stepping = false;
    }
  }

  /** Stops claiming and waits for the runs already started. */
  async drain(): Promise<void> {
    this.stopped = true;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Resolves once the runs started so far have ended (claiming goes on). */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0 || this.stepping) {
      await Promise.allSettled([...this.inFlight]);
      if (this.stepping) await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  get running(): number {
    return this.inFlight.size;
  }

  private launch(run: ClaimedRun): void {
    const done: Promise<void> = this.runner
      .run(run)
      .then((result) => this.count(result.outcome, 1))
      .catch((error: unknown) => {
        // The lease stays: another step (here or on another instance) takes the run again once it expires.
        this.count('failed', 1);
        this.logger.warn({ event: 'cron_run_error', task_id: run.scheduleId, scheduled_for: new Date(run.tick).toISOString(), err: asError(error) });
      })
      .finally(() => {
        this.inFlight.delete(done);
        if (this.backlog && !this.stopped) void this.step();
      });
    this.inFlight.add(done);
  }

  private count(counter: DispatchCounter, amount: number): void {
    if (amount > 0) this.counters.set(counter, (this.counters.get(counter) ?? 0) + amount);
  }
}
