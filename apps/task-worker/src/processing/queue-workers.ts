import { Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { TaskJobData } from '@suite/job-contracts';
import { JobDurationStats, TaskQueues } from '@suite/queues';
import { TaskRegistry } from '@suite/registry';
import { Job, Worker } from 'bullmq';
import { MaintenanceRunner } from '../queues/maintenance/maintenance-runner';
import { TaskJobRunner } from './task-job-runner';

/**
 * One BullMQ worker per queue this instance serves (WORKER_QUEUES, WORKER_CONCURRENCY). They start
 * once the app is up (Redis answered), and on shutdown stop taking jobs, let the running ones
 * finish within SHUTDOWN_GRACE_MS, then close; a job still running then is left to the stalled-job
 * recovery of another worker. Draining happens before any module closes its Redis connections.
 */
@Injectable()
export class QueueWorkers implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('QueueWorkers');
  private readonly workers: Worker[] = [];

  constructor(
    private readonly config: AppConfig,
    private readonly queues: TaskQueues,
    private readonly runner: TaskJobRunner,
    private readonly registry: TaskRegistry,
    private readonly durations: JobDurationStats,
    private readonly maintenance: MaintenanceRunner,
  ) {}

  onApplicationBootstrap(): void {
    for (const queue of this.config.WORKER_QUEUES) {
      const process = queue === 'maintenance' ? (job: Job<TaskJobData>) => this.maintenance.run(job) : (job: Job<TaskJobData>) => this.runner.run(job);
      const worker = new Worker<TaskJobData>(queue, process, {
        ...this.queues.options(),
        concurrency: this.config.WORKER_CONCURRENCY,
        lockDuration: this.config.WORKER_LOCK_DURATION_MS,
        stalledInterval: this.config.WORKER_STALLED_INTERVAL_MS,
        maxStalledCount: 2,
      });
      worker.on('error', (error) => this.logger.warn({ event: 'worker_error', queue, error: error.message }));
      worker.on('stalled', (jobId) => this.logger.warn({ event: 'job_stalled', queue, job_id: jobId }));
      // BullMQ can fail a job without the runner (stalled too often): the task record must end too,
      // or it stays "running" and holds its quota slot. Ending an ended task is refused, so this is idempotent.
      worker.on('failed', (job, error) => {
        if (queue === 'maintenance') return;
        if (!job || (job.attemptsMade < (job.opts.attempts ?? 1) && !/stalled/i.test(error.message))) return;
        void this.registry
          .updateProgress(job.data.task_id, { status: 'failed', currentStep: 'failed', error: error.message })
          .catch((failure: unknown) => this.logger.warn({ event: 'task_fail_record_failed', task_id: job.data.task_id, error: (failure as Error).message }));
      });
      this.workers.push(worker);
    }
    this.logger.log({ event: 'workers_started', queues: this.config.WORKER_QUEUES, concurrency: this.config.WORKER_CONCURRENCY });
  }

  get activeWorkers(): number {
    return this.workers.length;
  }

  async beforeApplicationShutdown(): Promise<void> {
    const graceful = Promise.all(this.workers.map((worker) => worker.close()));
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => (timer = setTimeout(() => resolve('expired'), this.config.SHUTDOWN_GRACE_MS)));
    const outcome = await Promise.race([graceful.then(() => 'drained' as const), expired]);
    clearTimeout(timer);
    if (outcome === 'expired') {
      // Jobs still running are abandoned: their locks lapse and another worker's stalled-job
      // recovery runs them again. (A second close(true) would only wait for the first close.)
      this.runner.abortAll(new Error('worker shutting down'));
      this.logger.warn({ event: 'drain_timeout', grace_ms: this.config.SHUTDOWN_GRACE_MS });
    } else {
      this.logger.log({ event: 'workers_drained' });
    }
    await this.durations.flush();
  }
}
