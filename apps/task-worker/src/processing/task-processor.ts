import type { TaskJobData, TaskType } from '@suite/job-contracts';

export interface ProcessingContext {
  /** Reports a running step (throws TaskCancelledError when the task was cancelled meanwhile). */
  step(progress: number, currentStep: string, data?: unknown): Promise<void>;
  /** Aborted when the task exceeds its max_duration or the worker shuts down hard. */
  signal: AbortSignal;
  /** 1 for the first attempt, 2 for the first retry, … */
  attempt: number;
}

/** The processor of one task type: one per queue folder, registered with the worker host. */
export interface TaskProcessor<Payload = unknown, Result = unknown> {
  readonly type: TaskType;
  process(job: TaskJobData<Payload>, context: ProcessingContext): Promise<Result>;
}

export const TASK_PROCESSORS = Symbol('TASK_PROCESSORS');
