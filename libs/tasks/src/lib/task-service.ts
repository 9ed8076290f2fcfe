import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { queueOf, TASK_TYPES, TaskJobData, TaskType } from '@suite/job-contracts';
import { asError, LogContext } from '@suite/logging';
import { TaskQueues } from '@suite/queues';
import { TaskRecord, TaskRegistry, UnifiedRegistry } from '@suite/registry';
import { TaskProgressReporter } from './task-progress-reporter';

export interface StartTaskRequest<Payload> {
  type: TaskType;
  taskId: string;
  userId: string;
  companyId: string;
  payload: Payload;
  maxDurationS?: number;
  priority?: string;
}

export type StartTaskOutcome =
  | { started: true; task_id: string; job_id: string; status: string; /** False when a task with this id already existed (a repeated start). */ created: boolean }
  | { started: false; quota: string; limit: number; retry_after_ms?: number };

export interface TaskStatus {
  task_id: string;
  task_type: string;
  status: string;
  progress: number;
  current_step: string;
  result?: unknown;
  error?: string;
  created_at: string;
  updated_at?: string;
}

const DEFAULT_MAX_DURATION_S = 3600;

/**
 * Starting and following tasks: each start is checked against the company's quota and registered
 * in the task registry before its job is queued. Job ids are the task ids, so a repeated start
 * with the same job id neither registers nor queues a second task.
 */
@Injectable()
export class TaskService {
  private readonly logger = new Logger('Tasks');

  constructor(
    private readonly config: AppConfig,
    private readonly queues: TaskQueues,
    private readonly registry: TaskRegistry,
    private readonly users: UnifiedRegistry,
    private readonly reporter: TaskProgressReporter,
  ) {}

  async start<Payload>(request: StartTaskRequest<Payload>): Promise<StartTaskOutcome> {
    const maxDuration = request.maxDurationS ?? DEFAULT_MAX_DURATION_S;
    const registration = await this.registry.register({
      taskId: request.taskId,
      taskType: request.type,
      userId: request.userId,
      companyId: request.companyId,
      priority: request.priority,
      maxDuration,
    });
    if (!registration.registered) {
      return { started: false, quota: registration.quota.quota, limit: registration.quota.limit, retry_after_ms: registration.quota.retryAfterMs };
    }
    const data: TaskJobData<Payload> = {
      task_id: request.taskId,
      task_type: request.type,
      user_id: request.userId,
      company_id: request.companyId,
      max_duration: maxDuration,
      started_at: Date.parse(registration.record.task_info.created_at) || Date.now(),
      trace_id: LogContext.current().trace_id,
      payload: request.payload,
    };
    try {
      const queue = this.queues.queue(queueOf(request.type));
      const options = {
        jobId: request.taskId,
        attempts: this.config.TASK_ATTEMPTS,
        backoff: { type: 'exponential', delay: this.config.TASK_RETRY_DELAY_MS },
        priority: request.priority === 'high' ? 1 : request.priority === 'low' ? 10 : undefined,
        removeOnComplete: { age: 86_400, count: 10_000 },
        removeOnFail: { age: 7 * 86_400 },
      };
      let job = await queue.add(request.type, data, options);
      if (registration.created && job.timestamp < data.started_at - 1000 && job.data.started_at !== data.started_at) {
        // A finished job of an earlier task with this id is still kept: replace it, or this task never runs.
        await job.remove().catch(() => undefined);
        job = await queue.add(request.type, data, options);
      }
      return { started: true, task_id: request.taskId, job_id: job.id ?? request.taskId, status: registration.record.task_info.status, created: registration.created };
    } catch (error) {
      // Not queued: end the registration so the slot is not held by a task that will never run.
      if (registration.created) {
        await this.registry.updateProgress(request.taskId, { status: 'failed', error: 'could not be queued' }).catch(() => undefined);
      }
      throw error;
    }
  }

  async status(taskId: string): Promise<TaskStatus | null> {
    const record = await this.registry.get(taskId);
    return record ? toStatus(record) : null;
  }

  /**
   * Cancels a task: its record ends as `cancelled` (freeing its quota slot), a queued job is
   * removed, and a running job stops at its next progress step.
   */
  async cancel(taskId: string): Promise<{ success: boolean; task_id: string; status: string } | null> {
    const record = await this.registry.get(taskId);
    if (!record) return null;
    const cancelled = await this.registry.updateProgress(taskId, { status: 'cancelled', currentStep: 'cancelled' });
    if (!cancelled) return { success: false, task_id: taskId, status: record.task_info.status };
    const type = record.task_info.task_type;
    const job = Object.hasOwn(TASK_TYPES, type) ? await this.queues.queue(queueOf(type as TaskType)).getJob(taskId) : undefined;
    const state = await job?.getState();
    if (job && (state === 'waiting' || state === 'delayed' || state === 'prioritized')) {
      await job.remove().catch((error: unknown) => this.logger.warn({ event: 'cancel_remove_failed', task_id: taskId, error: asError(error).message }));
    }
    await this.reporter
      .publish({ task_id: taskId, user_id: record.task_info.user_id, trace_id: LogContext.current().trace_id }, { status: 'cancelled', progress: record.progress.progress_percent, current_step: 'cancelled' })
      .catch(() => undefined);
    return { success: true, task_id: taskId, status: 'cancelled' };
  }

  /** The user's tasks (active first, then history), optionally of one status. */
  async listUserTasks(userId: string, status?: string): Promise<TaskStatus[]> {
    const ids = await this.users.taskIds(userId);
    const records = await Promise.all(ids.map((taskId) => this.registry.get(taskId)));
    return records
      .filter((record): record is TaskRecord => record !== null)
      .map(toStatus)
      .filter((task) => !status || task.status === status)
      .sort((a, b) => b.created_at.localeCompare(a.created_at));
  }
}

function toStatus(record: TaskRecord): TaskStatus {
  return {
    task_id: record.task_info.task_id,
    task_type: record.task_info.task_type,
    status: record.task_info.status,
    progress: record.progress.progress_percent,
    current_step: record.progress.current_step,
    ...(record.result !== undefined ? { result: record.result } : {}),
    ...(record.error !== undefined ? { error: record.error } : {}),
    created_at: record.task_info.created_at,
    updated_at: record.updated_at,
  };
}
