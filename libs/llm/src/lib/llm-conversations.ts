import { Injectable } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { LlmConversationPayload, LlmConversationResult, taskIdFor } from '@suite/job-contracts';
import { RedisConnections } from '@suite/redis';
import { buildConversationKey } from '@suite/redis-namespaces';
import { RpcError } from '@suite/rpc-contract';
import { TaskRegistry } from '@suite/registry';
import { TaskService } from '@suite/tasks';
import { randomBytes } from 'node:crypto';
import { checkCallerChoices } from './llm-request-rules';
import { LlmRequestQuota } from './llm-request-quota';

/** Seed 000: a conversation may run 5 minutes. */
const CONVERSATION_MAX_DURATION_S = 300;

export interface StartConversationRequest {
  userId: string;
  companyId: string;
  prompt: string;
  model?: string;
  temperature?: number;
}

export interface ConversationStart {
  success: true;
  conversation_id: string;
  task_id: string;
  /** Seed 000's name for the queue job id (the task id here). */
  celery_task_id: string;
  status: string;
}

export interface ConversationStatus {
  success: true;
  conversation_id: string;
  task_id: string;
  status: string;
  progress: number;
  current_step: string;
  created_at: string;
  response?: string;
  tokens_used?: number;
  model?: string;
  error?: string;
}

/** A conversation as stored at `conversation:{cid}:{uid}:{conversation_id}` (field `data`, JSON). */
export interface StoredConversation {
  conversation_id: string;
  user_id: string;
  company_id: string;
  prompt: string;
  response: string;
  model: string;
  temperature: number;
  timestamp: string;
  tokens_used: number;
}

/** The default temperature of seed 000's LLMService. */
export const DEFAULT_TEMPERATURE = 0.7;

export function conversationTaskId(conversationId: string): string {
  return taskIdFor('llm_conversation', conversationId);
}

/**
 * Seed 000's LLMService: `start_conversation` checks the input and the company's hourly request
 * quota, then starts the task `llm_<conversation_id>` on the `llm` queue (the task-worker calls
 * the model); `get_conversation_status` reads the task record and the stored conversation.
 */
@Injectable()
export class LlmConversations {
  constructor(
    private readonly config: AppConfig,
    private readonly tasks: TaskService,
    private readonly registry: TaskRegistry,
    private readonly quota: LlmRequestQuota,
    private readonly redis: RedisConnections,
  ) {}

  async start(request: StartConversationRequest): Promise<ConversationStart> {
    const { model, temperature } = checkCallerChoices(this.config, request);
    await this.quota.ensureLeft(request.companyId);
    const conversationId = `conv_${randomBytes(6).toString('hex')}`;
    const outcome = await this.tasks.start<LlmConversationPayload>({
      type: 'llm_conversation',
      taskId: conversationTaskId(conversationId),
      userId: request.userId,
      companyId: request.companyId,
      payload: { conversation_id: conversationId, prompt: request.prompt, model, temperature: temperature ?? DEFAULT_TEMPERATURE },
      maxDurationS: CONVERSATION_MAX_DURATION_S,
    });
    if (!outcome.started) throw new RpcError('QUOTA_EXCEEDED', `${outcome.quota} (${outcome.limit}) reached`, outcome.retry_after_ms);
    return { success: true, conversation_id: conversationId, task_id: outcome.task_id, celery_task_id: outcome.job_id, status: outcome.status };
  }

  async status(conversationId: string): Promise<ConversationStatus | null> {
    const taskId = conversationTaskId(conversationId);
    const record = await this.registry.get(taskId);
    if (!record) return null;
    const stored = await this.stored(record.task_info.company_id, record.task_info.user_id, conversationId);
    const result = record.result as LlmConversationResult | undefined;
    // The answer is stored before the task record says completed: a caller that heard
    // llm.conversation_complete already sees it completed.
    const done = stored !== null || record.task_info.status === 'completed';
    const answer = stored ?? (result?.response !== undefined ? result : null);
    return {
      success: true,
      conversation_id: conversationId,
      task_id: taskId,
      status: done ? 'completed' : record.task_info.status,
      progress: done ? 100 : record.progress.progress_percent,
      current_step: done ? 'completed' : record.progress.current_step,
      created_at: record.task_info.created_at,
      ...(answer ? { response: answer.response, tokens_used: answer.tokens_used, model: answer.model } : {}),
      ...(record.error !== undefined ? { error: record.error } : {}),
    };
  }

  /** The stored conversation, or null when it never finished or expired (24 h). */
  async stored(companyId: string, userId: string, conversationId: string): Promise<StoredConversation | null> {
    const data = await this.redis.command.hget(buildConversationKey(companyId, userId, conversationId), 'data');
    return data ? (JSON.parse(data) as StoredConversation) : null;
  }
}
