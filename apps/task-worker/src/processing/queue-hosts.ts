import { OnWorkerEvent, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { QueueName } from '@suite/config';
import { CHAT_ANSWER_JOB, ChatAnswerJobData, TaskJobData } from '@suite/job-contracts';
import { JobDurationStats, OutageLog } from '@suite/queues';
import { asError } from '@suite/logging';
import { TaskRegistry } from '@suite/registry';
import { Job } from 'bullmq';
import { ChatAnswerJobs } from '../queues/llm/chat-answer-jobs';
import { MaintenanceRunner } from '../queues/maintenance/maintenance-runner';
import { TaskJobRunner } from './task-job-runner';

/**
 * What every queue's worker host does around its jobs: counts the jobs in flight (the drain waits
 * for them), logs worker errors without flooding (OutageLog) and stalled jobs. The @Processor
 * classes are built from these per configured queue (queue-processors.ts).
 */
export abstract class QueueHost extends WorkerHost {
  protected readonly logger = new Logger('QueueWorkers');
  private outageLog?: OutageLog;
  /** Jobs taken and not yet settled in Redis (BullMQ emits `completed` or `failed` once it is). */
  private readonly unsettled = new Set<string>();

  get queueName(): QueueName {
    return this.worker.name as QueueName;
  }

  /**
   * Jobs being processed, or processed but whose outcome BullMQ has not written yet: ending the
   * connections then would make BullMQ retry that write without pause, forever.
   */
  get inFlight(): number {
    return this.unsettled.size;
  }

  async process(job: Job<TaskJobData>): Promise<unknown> {
    if (job.id) this.unsettled.add(job.id);
    return this.run(job);
  }

  @OnWorkerEvent('completed')
  onSettled(job: Job | undefined): void {
    if (job?.id) this.unsettled.delete(job.id);
  }

  @OnWorkerEvent('failed')
  onAttemptFailed(job: Job | undefined): void {
    if (job?.id) this.unsettled.delete(job.id);
  }

  protected abstract run(job: Job<TaskJobData>): Promise<unknown>;

  /** Starts taking jobs (the worker is created with autorun off, so nothing runs before the app is up). */
  start(): void {
    void this.worker.client.then(
      (client) => (client as unknown as { on(event: 'ready', listener: () => void): void }).on('ready', () => this.outage.recovered()),
      () => undefined,
    );
    this.worker.run().catch((error: unknown) => this.outage.error(asError(error)));
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.outage.error(error);
  }

  @OnWorkerEvent('stalled')
  onStalled(jobId: string): void {
    this.logger.warn({ event: 'job_stalled', queue: this.queueName, job_id: jobId });
  }

  private get outage(): OutageLog {
    this.outageLog ??= new OutageLog(this.logger, { queue: this.queueName });
    return this.outageLog;
  }
}

/**
 * The host of a task queue (`default`, `computation`, `llm`): task jobs run through TaskJobRunner,
 * the `llm` queue's chat answers (no task record) through ChatAnswerJobs.
 */
@Injectable()
export class TaskQueueHost extends QueueHost {
  constructor(
    private readonly runner: TaskJobRunner,
    private readonly registry: TaskRegistry,
    private readonly chatAnswers: ChatAnswerJobs,
  ) {
    super();
  }

  protected run(job: Job<TaskJobData>): Promise<unknown> {
    if (job.name === CHAT_ANSWER_JOB) return this.chatAnswers.run(job as unknown as Job<ChatAnswerJobData>);
    return this.runner.run(job);
  }

  /**
   * BullMQ can fail a job without the runner (stalled too often): the task record must end too, or
   * it stays "running" and holds its quota slot. Ending an ended task is refused, so this is idempotent.
   */
  @OnWorkerEvent('failed')
  onFailed(job: Job<TaskJobData> | undefined, error: Error): void {
    if (job?.name === CHAT_ANSWER_JOB) return this.chatAnswerFailed(job as unknown as Job<ChatAnswerJobData>, error);
    if (!job || !failedForGood(job, error)) return;
    void this.registry
      .updateProgress(job.data.task_id, { status: 'failed', currentStep: 'failed', error: error.message })
      .catch((failure: unknown) => this.logger.warn({ event: 'task_fail_record_failed', task_id: job.data.task_id, error: asError(failure).message }));
  }

  private chatAnswerFailed(job: Job<ChatAnswerJobData>, error: Error): void {
    if (!failedForGood(job, error)) return;
    void this.chatAnswers.failed(job, error).catch((failure: unknown) => this.logger.warn({ event: 'chat_answer_fail_report_failed', job_id: job.id, error: asError(failure).message }));
  }
}

/** Whether BullMQ will run the job again: not once its attempts are spent or it stalled too often. */
function failedForGood(job: Job, error: Error): boolean {
  return job.attemptsMade >= (job.opts.attempts ?? 1) || /stalled/i.test(error.message);
}

/** The host of the `maintenance` queue: jobs without a task record, timed into job_duration_seconds. */
@Injectable()
export class MaintenanceQueueHost extends QueueHost {
  constructor(
    private readonly maintenance: MaintenanceRunner,
    private readonly durations: JobDurationStats,
  ) {
    super();
  }

  protected async run(job: Job): Promise<unknown> {
    const started = process.hrtime.bigint();
    let outcome: 'completed' | 'failed' = 'failed';
    try {
      const result = await this.maintenance.run(job);
      outcome = 'completed';
      return result;
    } finally {
      this.durations.record('maintenance', outcome, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }
}
