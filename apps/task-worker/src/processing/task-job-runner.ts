import { Inject, Injectable, Logger } from '@nestjs/common';
import { QueueName } from '@suite/config';
import { TaskJobData } from '@suite/job-contracts';
import { InstanceIdentity } from '@suite/liveness';
import { LogContext } from '@suite/logging';
import { JobDurationStats } from '@suite/queues';
import { TaskRegistry } from '@suite/registry';
import { InvalidTaskInputError, TaskCancelledError, TaskDurationExceededError, TaskProgressReporter } from '@suite/tasks';
import { Job, UnrecoverableError } from 'bullmq';
import { TASK_PROCESSORS, TaskProcessor } from './task-processor';

/**
 * Runs one task job around its processor: skips work already done (a job re-run after its worker
 * died), reports start, progress, completion and failure, enforces max_duration, stops a cancelled
 * task at its next step, and tells BullMQ which failures are worth a retry.
 */
@Injectable()
export class TaskJobRunner {
  private readonly logger = new Logger('TaskJobRunner');
  private readonly processors: Map<string, TaskProcessor>;
  private readonly running = new Set<AbortController>();

  constructor(
    @Inject(TASK_PROCESSORS) processors: TaskProcessor[],
    private readonly registry: TaskRegistry,
    private readonly reporter: TaskProgressReporter,
    private readonly identity: InstanceIdentity,
    private readonly durations: JobDurationStats,
  ) {
    this.processors = new Map(processors.map((processor) => [processor.type, processor]));
  }

  /** Aborts every job in progress (hard shutdown). */
  abortAll(reason: Error): void {
    for (const controller of this.running) controller.abort(reason);
  }

  run(job: Job<TaskJobData>): Promise<unknown> {
    return LogContext.run({ trace_id: job.data.trace_id, user_id: job.data.user_id, job_id: job.data.task_id }, async () => {
      const started = process.hrtime.bigint();
      let outcome: 'completed' | 'failed' = 'failed';
      try {
        const result = await this.runInContext(job);
        outcome = 'completed';
        return result;
      } finally {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        this.durations.record(job.queueName as QueueName, outcome, seconds);
      }
    });
  }

  private async runInContext(job: Job<TaskJobData>): Promise<unknown> {
    const data = job.data;
    const processor = this.processors.get(job.name);
    if (!processor) throw new UnrecoverableError(`no processor for job "${job.name}"`);
    const remainingMs = data.started_at + data.max_duration * 1000 - Date.now();
    const abort = new AbortController();
    this.running.add(abort);
    let timer: NodeJS.Timeout | undefined;
    const step = (progress: number, currentStep: string, stepData?: unknown) =>
      this.reporter.report(data, { status: 'running', progress, current_step: currentStep, data: stepData }, this.identity.instanceId);
    try {
      await step(0, 'started', { attempt: job.attemptsMade + 1 });
    } catch (error) {
      // The record refused the start: the task ended already (done by a worker that died before
      // acknowledging, cancelled, failed) or expired.
      if (!(error instanceof TaskCancelledError)) throw error;
      const record = await this.registry.get(data.task_id);
      if (!record) throw new UnrecoverableError(`task ${data.task_id} is not registered (expired or never started)`);
      return record.task_info.status === 'completed' ? record.result : { skipped: record.task_info.status };
    }
    try {
      if (remainingMs <= 0) throw new TaskDurationExceededError(data.task_id, data.max_duration);
      // The job ends when its processor does, or at once when aborted (max_duration, hard shutdown)
      // even if the processor does not look at its signal.
      const aborted = new Promise<never>((_resolve, reject) => {
        const onAbort = () => reject(abort.signal.reason instanceof Error ? abort.signal.reason : new Error('aborted'));
        if (abort.signal.aborted) onAbort();
        else abort.signal.addEventListener('abort', onAbort, { once: true });
      });
      timer = setTimeout(() => abort.abort(new TaskDurationExceededError(data.task_id, data.max_duration)), remainingMs);
      const result = await Promise.race([processor.process(data, { step, signal: abort.signal, attempt: job.attemptsMade + 1 }), aborted]);
      await this.reporter.report(data, { status: 'completed', progress: 100, current_step: 'completed', result, data: result }, this.identity.instanceId);
      return result;
    } catch (error) {
      return this.failed(job, error);
    } finally {
      clearTimeout(timer);
      this.running.delete(abort);
    }
  }

  private async failed(job: Job<TaskJobData>, error: unknown): Promise<unknown> {
    const data = job.data;
    if (error instanceof TaskCancelledError) {
      this.logger.log({ event: 'task_cancelled', task_id: data.task_id });
      return { cancelled: true };
    }
    const message = error instanceof Error ? error.message : String(error);
    const final = error instanceof TaskDurationExceededError || error instanceof InvalidTaskInputError || error instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    this.logger.warn({ event: final ? 'task_failed' : 'task_attempt_failed', task_id: data.task_id, attempt: job.attemptsMade + 1, error: message });
    if (final) {
      await this.reporter
        .report(data, { status: 'failed', progress: 100, current_step: 'failed', error: message, data: { error: message } }, this.identity.instanceId)
        .catch(() => undefined);
      throw error instanceof UnrecoverableError ? error : new UnrecoverableError(message);
    }
    throw error; // BullMQ retries it with exponential backoff
  }
}
