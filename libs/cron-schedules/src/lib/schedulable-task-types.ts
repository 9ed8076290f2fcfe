import { DocumentAnalysisPayload, taskIdFor, TaskType } from '@suite/job-contracts';
import { StartTaskRequest } from '@suite/tasks';
import { IsInt, IsObject, IsOptional, Max, Min, validateSync } from 'class-validator';
import { InvalidScheduleError } from './cron-timing';

/** `payload` of a `document_analysis` schedule: TASK.start_document_analysis's own parameters (user and company come from the schedule, job_id from the run). */
class DocumentAnalysisSchedulePayload {
  @IsObject() document_data!: DocumentAnalysisPayload['document_data'];
  @IsOptional() @IsInt() @Min(1) @Max(86_400) max_duration?: number;
}

/** One run of a schedule, as the task path needs it. */
export interface ScheduledRun {
  scheduleId: string;
  userId: string;
  companyId: string;
  /** Unique per run: the tick (`<id>_<tick ms>`) or a manual run (`<id>_now_<ms>`). */
  runKey: string;
  payload: Record<string, unknown>;
}

interface SchedulableType {
  /** Checks a payload; throws InvalidScheduleError('payload') naming the field at fault. */
  validate(payload: unknown): void;
  /** The task a run starts: its id derives from the run key, so a repeated start is the same task. */
  request(run: ScheduledRun): StartTaskRequest<unknown>;
}

function validateDto(dto: new () => object, payload: unknown): void {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new InvalidScheduleError('payload', 'payload must be an object of the task type\'s parameters');
  const errors = validateSync(Object.assign(new dto(), payload), { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) {
    const first = errors[0];
    const reason = first.constraints ? Object.values(first.constraints)[0] : 'is invalid';
    throw new InvalidScheduleError('payload', `payload.${first.property}: ${reason}`);
  }
}

/**
 * The TASK job types a schedule may run, each with its TASK.start_* parameters. Only types the
 * task path knows are here; a new one (vector computation, LLM conversation) is one entry more.
 */
export const SCHEDULABLE_TASK_TYPES: Partial<Record<TaskType, SchedulableType>> = {
  document_analysis: {
    validate: (payload) => validateDto(DocumentAnalysisSchedulePayload, payload),
    request: (run) => {
      const payload = run.payload as unknown as DocumentAnalysisSchedulePayload;
      const jobId = run.runKey;
      return {
        type: 'document_analysis',
        taskId: taskIdFor('document_analysis', jobId),
        userId: run.userId,
        companyId: run.companyId,
        payload: { document_data: payload.document_data, job_id: jobId } satisfies DocumentAnalysisPayload,
        maxDurationS: payload.max_duration,
      };
    },
  },
};

export function schedulableType(taskType: string): SchedulableType {
  const type = Object.hasOwn(SCHEDULABLE_TASK_TYPES, taskType) ? SCHEDULABLE_TASK_TYPES[taskType as TaskType] : undefined;
  if (!type) throw new InvalidScheduleError('task_type', `task_type must be one of ${Object.keys(SCHEDULABLE_TASK_TYPES).join(', ')}`);
  return type;
}
