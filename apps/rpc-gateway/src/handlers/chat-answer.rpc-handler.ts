import { Injectable } from '@nestjs/common';
import { ChatMessageSender, SendMessageResult, StopMessageResult } from '@suite/chat-answers';
import { TEMPERATURE_RANGE } from '@suite/llm';
import { SAFE_KEY_PART_PATTERN } from '@suite/redis-namespaces';
import { RpcMethod, RpcNamespace } from '@suite/rpc-contract';
import { IsNumber, IsOptional, IsString, Length, Max, Min, Matches } from 'class-validator';
import { ThreadParams } from './llm.rpc-handler';

export class SendMessageParams extends ThreadParams {
  /** The length limit is LLM_MAX_PROMPT_CHARS, checked by the sender. */
  @IsString() message!: string;
  @IsOptional() @IsString() @Length(1, 100) model?: string;
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(TEMPERATURE_RANGE.min) @Max(TEMPERATURE_RANGE.max) temperature?: number;
}

export class StopMessageParams extends ThreadParams {
  @IsOptional() @IsString() @Matches(SAFE_KEY_PART_PATTERN, { message: '$property must be 1-256 characters without ":", braces, whitespace or glob characters' }) message_id?: string;
}

/**
 * `LLM.send_message` / `LLM.stop_message` (SPEC §4): the user message is stored and the answer
 * queued on the `llm` queue; a task-worker streams it as `chat.message` events on
 * `chat:{uid}:{cid}:{thread}`, then stores it. A stop reaches whichever worker streams it.
 */
@RpcNamespace('LLM', { description: 'chat answers streamed by the model' })
@Injectable()
export class ChatAnswerRpcHandler {
  constructor(private readonly sender: ChatMessageSender) {}

  @RpcMethod('send_message', {
    params: ['user_id', 'company_id', 'thread_key', 'message', 'model', 'temperature'],
    dto: SendMessageParams,
    returns: '{"success": true, "message_id": str, "user_message_id": str, "status": "queued"}',
    description: 'stores the user message, answers at once; the answer streams as chat.message events on chat:{uid}:{cid}:{thread}, then is stored',
  })
  sendMessage(params: SendMessageParams): Promise<SendMessageResult> {
    return this.sender.send({ userId: params.user_id, companyId: params.company_id, threadKey: params.thread_key, message: params.message, model: params.model, temperature: params.temperature });
  }

  @RpcMethod('stop_message', {
    params: ['user_id', 'company_id', 'thread_key', 'message_id'],
    dto: StopMessageParams,
    returns: '{"success": true, "stopped": [str]}',
    description: 'stops one answer (or every answer of the thread still streaming); the stored message says finish_reason "stopped"',
  })
  stopMessage(params: StopMessageParams): Promise<StopMessageResult> {
    return this.sender.stop({ userId: params.user_id, companyId: params.company_id, threadKey: params.thread_key }, params.message_id);
  }
}
