import { Injectable } from '@nestjs/common';
import { ConversationStart, ConversationStatus, LlmConversations, TEMPERATURE_RANGE } from '@suite/llm';
import { RpcError, RpcMethod, RpcNamespace } from '@suite/rpc-contract';
import { IsNumber, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { ID_LENGTH } from './param-limits';

export class StartConversationParams {
  @IsString() @Length(...ID_LENGTH) user_id!: string;
  @IsString() @Length(...ID_LENGTH) company_id!: string;
  /** The length limit is LLM_MAX_PROMPT_CHARS, checked by the service. */
  @IsString() prompt!: string;
  @IsOptional() @IsString() @Length(1, 100) model?: string;
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(TEMPERATURE_RANGE.min) @Max(TEMPERATURE_RANGE.max) temperature?: number;
}

export class ConversationParams {
  @IsString() @Length(1, 100) @Matches(/^[\w.-]+$/, { message: 'conversation_id may hold letters, digits, _ . -' }) conversation_id!: string;
}

export const START_CONVERSATION_PARAMS = ['user_id', 'company_id', 'prompt', 'model', 'temperature'] as const;

/**
 * `LLM.start_conversation` / `LLM.get_conversation_status` (seed 000's LLMService): one model call
 * as a task on the `llm` queue. The session and chat methods of `LLM.*` are another handler class.
 * Conversations are tasks, so like `TASK.*` they need UNIFIED_REGISTRY_ENABLED=true.
 */
@RpcNamespace('LLM', { enabledBy: 'UNIFIED_REGISTRY_ENABLED', description: 'LLM conversations (seed 000)' })
@Injectable()
export class LlmConversationRpcHandler {
  constructor(private readonly conversations: LlmConversations) {}

  @RpcMethod('start_conversation', { params: START_CONVERSATION_PARAMS, dto: StartConversationParams, returns: '{"success": true, "conversation_id": str, "task_id": str, "celery_task_id": str, "status": str}' })
  startConversation(params: StartConversationParams): Promise<ConversationStart> {
    return this.conversations.start({ userId: params.user_id, companyId: params.company_id, prompt: params.prompt, model: params.model, temperature: params.temperature });
  }

  @RpcMethod('get_conversation_status', { params: ['conversation_id'], dto: ConversationParams, returns: '{"success": true, "conversation_id": str, "task_id": str, "status": str, "progress": int, "current_step": str, "created_at": str, "response"?: str, "tokens_used"?: int, "model"?: str, "error"?: str}' })
  async getConversationStatus(params: ConversationParams): Promise<ConversationStatus> {
    const status = await this.conversations.status(params.conversation_id);
    if (!status) throw RpcError.notFound(`conversation ${params.conversation_id}`);
    return status;
  }
}
