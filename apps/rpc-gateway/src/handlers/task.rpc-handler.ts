import { Injectable } from '@nestjs/common';
import { DocumentAnalysisPayload, taskIdFor, vectorComputationJobId, VectorComputationPayload } from '@suite/job-contracts';
import { ConversationStart, LlmConversations } from '@suite/llm';
import { RpcError, RpcMethod, RpcNamespace } from '@suite/rpc-contract';
import { TaskService, TaskStatus } from '@suite/tasks';
import { validateAdd, VectorError } from '@suite/vector';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsObject, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { TaskParams } from './common-params';
import { START_CONVERSATION_PARAMS, StartConversationParams } from './llm-conversation.rpc-handler';
import { ID_LENGTH } from './param-limits';

export class StartDocumentAnalysisParams {
  @IsString() @Length(...ID_LENGTH) user_id!: string;
  @IsObject() document_data!: DocumentAnalysisPayload['document_data'];
  @IsString() @Length(1, 200) @Matches(/^[\w.-]+$/, { message: 'job_id may hold letters, digits, _ . - (BullMQ job ids cannot hold ":")' }) job_id!: string;
  @IsOptional() @IsString() @Length(...ID_LENGTH) company_id?: string;
  @IsOptional() @IsInt() @Min(1) @Max(86_400) max_duration?: number;
}

export class StartVectorComputationParams {
  @IsString() @Length(...ID_LENGTH) user_id!: string;
  @IsString() @Length(...ID_LENGTH) company_id!: string;
  @IsString() @Length(1, 512) collection_name!: string;
  @IsArray() @ArrayMaxSize(100_000) documents!: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(100_000) metadatas?: VectorComputationPayload['metadatas'];
  @IsOptional() @IsArray() @ArrayMaxSize(100_000) ids?: string[];
  @IsOptional() @IsInt() @Min(1) @Max(86_400) max_duration?: number;
}

export class ListTasksParams {
  @IsString() @Length(...ID_LENGTH) user_id!: string;
  @IsOptional() @IsIn(['queued', 'running', 'completed', 'failed', 'cancelled']) status?: string;
}

/** Company of a task started without one: the user's own space, as the seeds' single-company callers expect. */
const DEFAULT_COMPANY = (userId: string) => `user_${userId}`;

/** A task as get_task_status and list_user_tasks return it. */
const TASK_STATUS_RETURNS = '{"task_id": str, "task_type": str, "status": "queued" | "running" | "completed" | "failed" | "cancelled", "progress": int, "current_step": str, "result"?, "error"?: str, "created_at": str, "updated_at"?: str}';

/** `TASK.*` (seeds 000/001): background work on the queues; FEATURE_DISABLED until UNIFIED_REGISTRY_ENABLED=true. */
@RpcNamespace('TASK', { enabledBy: 'UNIFIED_REGISTRY_ENABLED', description: 'Background tasks' })
@Injectable()
export class TaskRpcHandler {
  constructor(
    private readonly tasks: TaskService,
    private readonly conversations: LlmConversations,
  ) {}

  @RpcMethod('start_document_analysis', { params: ['user_id', 'document_data', 'job_id', 'company_id', 'max_duration'], dto: StartDocumentAnalysisParams, returns: '{"success": true, "task_id": str, "celery_task_id": str, "status": str}' })
  async startDocumentAnalysis(params: StartDocumentAnalysisParams) {
    const outcome = await this.tasks.start<DocumentAnalysisPayload>({
      type: 'document_analysis',
      taskId: taskIdFor('document_analysis', params.job_id),
      userId: params.user_id,
      companyId: params.company_id ?? DEFAULT_COMPANY(params.user_id),
      payload: { document_data: params.document_data, job_id: params.job_id },
      maxDurationS: params.max_duration,
    });
    if (!outcome.started) throw new RpcError('QUOTA_EXCEEDED', `${outcome.quota} (${outcome.limit}) reached`, outcome.retry_after_ms);
    return { success: true, task_id: outcome.task_id, celery_task_id: outcome.job_id, status: outcome.status };
  }

  /** Seed 000's LLMService.start_conversation as a task: `{success, conversation_id, task_id, status}`. */
  @RpcMethod('start_llm_conversation', { params: START_CONVERSATION_PARAMS, dto: StartConversationParams, returns: '{"success": true, "conversation_id": str, "task_id": str, "celery_task_id": str, "status": str}' })
  startLlmConversation(params: StartConversationParams): Promise<ConversationStart> {
    return this.conversations.start({ userId: params.user_id, companyId: params.company_id, prompt: params.prompt, model: params.model, temperature: params.temperature });
  }

  @RpcMethod('start_vector_computation', {
    params: ['user_id', 'company_id', 'collection_name', 'documents', 'metadatas', 'ids', 'max_duration'],
    dto: StartVectorComputationParams,
    returns: '{"success": true, "task_id": str, "celery_task_id": str, "status": str, "document_count": int}',
  })
  async startVectorComputation(params: StartVectorComputationParams) {
    try {
      validateAdd({ collectionName: params.collection_name, documents: params.documents, metadatas: params.metadatas, ids: params.ids });
    } catch (error) {
      if (error instanceof VectorError) throw new RpcError(error.code, error.message);
      throw error;
    }
    const payload: VectorComputationPayload = { collection_name: params.collection_name, documents: params.documents, metadatas: params.metadatas, ids: params.ids };
    const outcome = await this.tasks.start<VectorComputationPayload>({
      type: 'vector_computation',
      taskId: taskIdFor('vector_computation', vectorComputationJobId(params.user_id, params.company_id, payload)),
      userId: params.user_id,
      companyId: params.company_id,
      payload,
      maxDurationS: params.max_duration,
    });
    if (!outcome.started) throw new RpcError('QUOTA_EXCEEDED', `${outcome.quota} (${outcome.limit}) reached`, outcome.retry_after_ms);
    return { success: true, task_id: outcome.task_id, celery_task_id: outcome.job_id, status: outcome.status, document_count: params.documents.length };
  }

  @RpcMethod('get_task_status', { params: ['task_id'], dto: TaskParams, returns: TASK_STATUS_RETURNS })
  async getTaskStatus(params: TaskParams): Promise<TaskStatus> {
    const status = await this.tasks.status(params.task_id);
    if (!status) throw RpcError.notFound(`task ${params.task_id}`);
    return status;
  }

  @RpcMethod('cancel_task', { params: ['task_id'], dto: TaskParams, returns: '{"success": bool, "task_id": str, "status": str}' })
  async cancelTask(params: TaskParams) {
    const outcome = await this.tasks.cancel(params.task_id);
    if (!outcome) throw RpcError.notFound(`task ${params.task_id}`);
    return outcome;
  }

  @RpcMethod('list_user_tasks', { params: ['user_id', 'status'], dto: ListTasksParams, returns: `[${TASK_STATUS_RETURNS}]` })
  listUserTasks(params: ListTasksParams): Promise<TaskStatus[]> {
    return this.tasks.listUserTasks(params.user_id, params.status);
  }
}
