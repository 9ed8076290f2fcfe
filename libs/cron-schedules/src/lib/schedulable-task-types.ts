import { createHash } from 'node:crypto';
import { DocumentAnalysisPayload, LlmConversationPayload, taskIdFor, TaskType, VectorComputationPayload } from '@suite/job-contracts';
import { StartTaskRequest } from '@suite/tasks';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsInt, IsNumber, IsObject, IsOptional, IsString, Length, Max, Min, validateSync } from 'class-validator';
import { InvalidScheduleError } from './cron-timing';

/** `payload` of a `document_analysis` schedule: TASK.start_document_analysis's own parameters (user and company come from the schedule, job_id from the run). */
class DocumentAnalysisSchedulePayload {
  @IsObject() document_data!: DocumentAnalysisPayload['document_data'];
  @IsOptional() @IsInt() @Min(1) @Max(86_400) max_duration?: number;
}

/** `payload` of a `vector_computation` schedule: TASK.start_vector_computation's own parameters. */
class VectorComputationSchedulePayload {
  @IsString() @Length(1, 512) collection_name!: string;
  @IsArray() @ArrayNotEmpty() @ArrayMaxSize(100_000) @IsString({ each: true }) documents!: string[];
  @IsOptional() @IsArray() metadatas?: VectorComputationPayload['metadatas'];
  @IsOptional() @IsArray() @IsString({ each: true }) ids?: string[];
  @IsOptional() @IsInt() @Min(1) @Max(86_400) max_duration?: number;
}

/** `payload` of an `llm_conversation` schedule: TASK.start_llm_conversation's own parameters. */
class LlmConversationSchedulePayload {
  @IsString() @Length(1, 100_000) prompt!: string;
  @IsOptional() @IsString() @Length(1, 200) model?: string;
  @IsOptional() @IsNumber() @Min(0) @Max(2) temperature?: number;
}

/** Settings a run's request takes from the configuration (a schedule that names no model gets LLM_MODEL). */
export interface ScheduledRunSettings {
  defaultLlmModel: string;
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
  request(run: ScheduledRun, settings: ScheduledRunSettings): StartTaskRequest<unknown>;
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
  vector_computation: {
    validate: (payload) => validateDto(VectorComputationSchedulePayload, payload),
    request: (run) => {
      const payload = run.payload as unknown as VectorComputationSchedulePayload;
      // Document ids fixed per schedule (given, or <schedule>_<index>): each run adds the documents
      // once and a later run of the same schedule finds them stored instead of adding copies.
      const ids = payload.ids ?? payload.documents.map((_document, index) => `${run.scheduleId}_${index}`);
      const job: VectorComputationPayload = { collection_name: payload.collection_name, documents: payload.documents, metadatas: payload.metadatas, ids };
      return { type: 'vector_computation', taskId: taskIdFor('vector_computation', run.runKey), userId: run.userId, companyId: run.companyId, payload: job, maxDurationS: payload.max_duration };
    },
  },
  llm_conversation: {
    validate: (payload) => validateDto(LlmConversationSchedulePayload, payload),
    request: (run, settings) => {
      const payload = run.payload as unknown as LlmConversationSchedulePayload;
      const conversationId = `conv_${createHash('sha256').update(run.runKey).digest('hex').slice(0, 12)}`;
      const job: LlmConversationPayload = { conversation_id: conversationId, prompt: payload.prompt, model: payload.model ?? settings.defaultLlmModel, temperature: payload.temperature ?? 0.7 };
      return { type: 'llm_conversation', taskId: taskIdFor('llm_conversation', conversationId), userId: run.userId, companyId: run.companyId, payload: job };
    },
  },
};

export function schedulableType(taskType: string): SchedulableType {
  const type = Object.hasOwn(SCHEDULABLE_TASK_TYPES, taskType) ? SCHEDULABLE_TASK_TYPES[taskType as TaskType] : undefined;
  if (!type) throw new InvalidScheduleError('task_type', `task_type must be one of ${Object.keys(SCHEDULABLE_TASK_TYPES).join(', ')}`);
  return type;
}
