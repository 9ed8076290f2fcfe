import type { QueueName } from '@suite/config';

/** Task types, the BullMQ job name of each, and the queue it runs on. */
export const TASK_TYPES = {
  document_analysis: { queue: 'computation', prefix: 'doc_analysis' },
  noop: { queue: 'default', prefix: 'noop' },
  llm_conversation: { queue: 'llm', prefix: 'llm' },
  vector_computation: { queue: 'computation', prefix: 'vector' },
} as const satisfies Record<string, { queue: QueueName; prefix: string }>;

export type TaskType = keyof typeof TASK_TYPES;

/** What every task job carries, whatever its type. */
export interface TaskJobData<Payload = unknown> {
  task_id: string;
  task_type: TaskType;
  user_id: string;
  company_id: string;
  /** Seconds the task may run before it is failed. */
  max_duration: number;
  /** Epoch ms when the task was started (max_duration counts from here, across retries). */
  started_at: number;
  trace_id?: string;
  payload: Payload;
}

/** `document_data` as the Reflex app sends it: the text under `content` (or `text`), plus anything else. */
export interface DocumentAnalysisPayload {
  document_data: { content?: string; text?: string; [field: string]: unknown };
  job_id: string;
}

export interface NoopPayload {
  /** Progress steps to report before completing. */
  steps?: number;
  /** Pause before each step (ms): a job that takes a while, for drills and tests. */
  step_delay_ms?: number;
  /** Fail this many first attempts with a transient error: exercises retries, for drills and tests. */
  fail_first_attempts?: number;
}

/** The deterministic task id: a repeated start of the same job maps to the same task and job. */
export function taskIdFor(type: TaskType, jobId: string): string {
  return `${TASK_TYPES[type].prefix}_${jobId}`;
}

export function queueOf(type: TaskType): QueueName {
  return TASK_TYPES[type].queue;
}

/** The payload of `task.progress_update` events. */
export interface TaskProgressEvent {
  task_id: string;
  status: string;
  progress: number;
  current_step: string;
  data?: unknown;
}
