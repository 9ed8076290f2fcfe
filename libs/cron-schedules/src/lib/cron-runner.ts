import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { DistributedLock } from '@suite/distributed-lock';
import { asError, LogContext } from '@suite/logging';
import { isTerminalStatus } from '@suite/registry';
import { TaskProgressReporter, TaskService } from '@suite/tasks';
import { CronRunClaims } from './cron-run-claims';
import { CRON_LOCK_TYPE, CronScheduleStore } from './cron-schedule-store';
import { schedulableType } from './schedulable-task-types';
import { ClaimedRun, runKeyOf, RunOutcome, ScheduleView } from './schedule-records';

/** Wait before another try at a run whose schedule's lock another instance holds. */
const LOCKED_RETRY_MS = 200;

export type RunResult = { outcome: RunOutcome; taskId?: string } | { outcome: 'deferred' } | { outcome: 'already_recorded' };

/** The run's lock was lost while it ran (its lease then lets another instance take the run). */
export class RunLockLostError extends Error {
  constructor(run: ClaimedRun) {
    super(`the lock of schedule ${run.scheduleId} was lost before its run of ${new Date(run.tick).toISOString()} started its task`);
    this.name = 'RunLockLostError';
  }
}

/**
 * Runs one claimed run: under the schedule's lock (`lock:cron:{id}`, so runs of one schedule never
 * overlap across instances), applies the pause and overlap policies, then starts an ordinary task
 * through the task path (quota, registry record, queue) with an id derived from the schedule and
 * the tick, and announces it as `task.progress_update` (queued). The work itself is the worker's.
 * The outcome is recorded with the lock's fence, which ends the run's lease.
 */
@Injectable()
export class CronRunner {
  private readonly logger = new Logger('CronRunner');

  constructor(
    private readonly config: AppConfig,
    private readonly locks: DistributedLock,
    private readonly schedules: CronScheduleStore,
    private readonly claims: CronRunClaims,
    private readonly tasks: TaskService,
    private readonly progress: TaskProgressReporter,
  ) {}

  async run(run: ClaimedRun): Promise<RunResult> {
    const leaseMs = this.config.CRON_RUN_LEASE_MS;
    const held = await this.locks.withLock(CRON_LOCK_TYPE, run.scheduleId, leaseMs, async ({ fence, signal }): Promise<RunResult> => {
      // An earlier attempt at this run (whose lease expired while it was still running) may have
      // ended it while this one waited for the lock: its lease is gone, and it must not start again.
      if (!(await this.claims.isLeased(run))) return { outcome: 'already_recorded' };
      const renewLease = setInterval(() => {
        this.claims.renewLease(run, leaseMs).catch((error: unknown) => this.logger.warn({ event: 'cron_lease_renew_failed', task_id: run.scheduleId, err: asError(error) }));
      }, Math.max(1, Math.floor(leaseMs / 3)));
      renewLease.unref();
      try {
        const result = await this.start(run, signal);
        await this.claims.record(run, { fence, status: result.outcome, taskId: result.taskId });
        return result;
      } finally {
        clearInterval(renewLease);
      }
    });
    if (!held) {
      await this.claims.defer(run, LOCKED_RETRY_MS);
      return { outcome: 'deferred' };
    }
    const result = held.value;
    this.logger.log({ event: 'cron_run', task_id: run.scheduleId, scheduled_for: new Date(run.tick).toISOString(), kind: run.kind, outcome: result.outcome, run_task_id: 'taskId' in result ? result.taskId : undefined });
    return result;
  }

  private async start(run: ClaimedRun, lockLost: AbortSignal): Promise<{ outcome: RunOutcome; taskId?: string }> {
    const schedule = await this.schedules.get(run.scheduleId);
    if (!schedule) return { outcome: 'deleted' };
    if (run.kind === 'cron' && schedule.status === 'paused') return { outcome: 'skipped_paused' };
    const request = schedulableType(schedule.task_type).request({
      scheduleId: schedule.task_id,
      userId: schedule.user_id,
      companyId: schedule.company_id,
      runKey: runKeyOf(run),
      payload: schedule.payload,
    }, { defaultLlmModel: this.config.LLM_MODEL });
    if (run.kind === 'cron' && schedule.overlap === 'skip' && (await this.previousStillActive(schedule, request.taskId))) {
      return { outcome: 'skipped_overlap' };
    }
    if (lockLost.aborted) throw new RunLockLostError(run);
    try {
      const outcome = await LogContext.run({ trace_id: `cron-${runKeyOf(run)}`, user_id: schedule.user_id }, () => this.tasks.start(request));
      if (!outcome.started) return { outcome: 'quota_exceeded' };
      if (!outcome.created) return { outcome: 'queued', taskId: outcome.task_id }; // an earlier attempt queued and announced it
      await this.progress
        .publish(
          { task_id: outcome.task_id, user_id: schedule.user_id, trace_id: `cron-${runKeyOf(run)}` },
          { status: 'queued', progress: 0, current_step: 'queued', data: { cron_task_id: schedule.task_id, scheduled_for: new Date(run.tick).toISOString() } },
        )
        .catch((error: unknown) => this.logger.warn({ event: 'cron_run_announce_failed', task_id: schedule.task_id, err: asError(error) }));
      return { outcome: 'queued', taskId: outcome.task_id };
    } catch (error) {
      this.logger.warn({ event: 'cron_run_failed', task_id: schedule.task_id, scheduled_for: new Date(run.tick).toISOString(), err: asError(error) });
      return { outcome: 'failed' };
    }
  }

  /** Whether the task of the schedule's previous run is still queued or running. */
  private async previousStillActive(schedule: ScheduleView, thisTaskId: string): Promise<boolean> {
    if (!schedule.last_task_id || schedule.last_task_id === thisTaskId) return false;
    const previous = await this.tasks.status(schedule.last_task_id);
    return previous !== null && !isTerminalStatus(previous.status);
  }
}
