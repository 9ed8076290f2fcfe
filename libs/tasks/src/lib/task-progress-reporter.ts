import { Injectable } from '@nestjs/common';
import { EventPublisher, UserEventDraft } from '@suite/events';
import { TaskJobData, TaskProgressEvent } from '@suite/job-contracts';
import { TaskRegistry } from '@suite/registry';
import { TaskCancelledError } from './task-errors';

export interface ProgressStep {
  status: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
  progress: number;
  current_step: string;
  data?: unknown;
  result?: unknown;
  error?: string;
}

/**
 * Writes a task's progress to its registry record and publishes `task.progress_update` on the
 * user's channel, straight from the worker. A step on a task that was cancelled (or already
 * ended) throws TaskCancelledError, which is how a running job learns it must stop.
 */
@Injectable()
export class TaskProgressReporter {
  constructor(
    private readonly registry: TaskRegistry,
    private readonly events: EventPublisher,
  ) {}

  /** The record's update and its event land in one Redis step on a single node, in two otherwise. */
  async report(job: TaskJobData, step: ProgressStep, workerId?: string): Promise<void> {
    const event = this.draft(job, step);
    const { applied, eventId } = await this.registry.updateProgressAndAnnounce(
      job.task_id,
      { status: step.status, progressPercent: step.progress, currentStep: step.current_step, workerId, result: step.result, error: step.error },
      { userId: job.user_id, companyId: job.company_id },
      event,
    );
    if (!applied) throw new TaskCancelledError(job.task_id);
    if (eventId) this.events.confirmPublished(event, eventId);
    else await this.events.publishDraft(event);
  }

  /** Publishes without touching the record (e.g. to confirm a cancellation). */
  async publish(job: Pick<TaskJobData, 'task_id' | 'user_id' | 'trace_id'>, step: ProgressStep): Promise<void> {
    await this.events.publishDraft(this.draft(job, step));
  }

  private draft(job: Pick<TaskJobData, 'task_id' | 'user_id' | 'trace_id'>, step: ProgressStep): UserEventDraft<TaskProgressEvent> {
    const payload: TaskProgressEvent = {
      task_id: job.task_id,
      status: step.status,
      progress: step.progress,
      current_step: step.current_step,
      ...(step.data !== undefined ? { data: step.data } : {}),
    };
    return this.events.draftUserEvent(job.user_id, 'task.progress_update', payload, { job_id: job.task_id, trace_id: job.trace_id });
  }
}
