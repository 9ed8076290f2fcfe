import { Injectable } from '@nestjs/common';
import { FirestoreInputError } from '@suite/firestore-documents';
import { MAX_MESSAGES_LIMIT, RealtimeChat, RealtimeInputError, RealtimeUnavailableError } from '@suite/realtime-chat';
import { RpcCallContext, RpcError, RpcMethod, RpcNamespace } from '@suite/rpc-contract';
import { WorkflowControlClient } from '@suite/workflow-watch';
import { IsDefined, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

const KEY = [1, 768] as const;

export class SendMessageParams {
  @IsString() @Length(...KEY) space_code!: string;
  @IsString() @Length(...KEY) thread_key!: string;
  /** A text, or a JSON object (checked by RealtimeChat). */
  @IsDefined() message!: unknown;
}

export class GetMessagesParams {
  @IsString() @Length(...KEY) space_code!: string;
  @IsString() @Length(...KEY) thread_key!: string;
  @IsOptional() @IsInt() @Min(1) @Max(MAX_MESSAGES_LIMIT) limit?: number;
}

export class MessageParams {
  @IsString() @Length(...KEY) space_code!: string;
  @IsString() @Length(...KEY) thread_key!: string;
  @IsString() @Length(...KEY) message_id!: string;
}

export class WatchThreadParams {
  @IsString() @Length(...KEY) user_id!: string;
  @IsString() @Length(...KEY) space_code!: string;
  @IsString() @Length(...KEY) thread_key!: string;
}

/** `FIREBASE_REALTIME.*` (seed 002's FirebaseRealtimeChat): chat threads on the Realtime Database. */
@RpcNamespace('FIREBASE_REALTIME', { description: 'Realtime Database chat' })
@Injectable()
export class FirebaseRealtimeRpcHandler {
  constructor(
    private readonly chat: RealtimeChat,
    private readonly workflowControl: WorkflowControlClient,
  ) {}

  @RpcMethod('send_message', { params: ['space_code', 'thread_key', 'message'], dto: SendMessageParams, paramTypes: { message: 'str | dict' }, description: 'sender_id defaults to the call user_id', returns: '{"success": true, "message_id": str}' })
  sendMessage(params: SendMessageParams, context: RpcCallContext) {
    return translate(() => this.chat.sendMessage(params.space_code, params.thread_key, params.message, context.user_id));
  }

  @RpcMethod('get_messages', { params: ['space_code', 'thread_key', 'limit'], dto: GetMessagesParams, description: 'oldest first, each with its id', returns: '[dict] (each message with its "id": str, oldest first)' })
  getMessages(params: GetMessagesParams) {
    return translate(() => this.chat.getMessages(params.space_code, params.thread_key, params.limit));
  }

  @RpcMethod('mark_read', { params: ['space_code', 'thread_key', 'message_id'], dto: MessageParams, returns: '{"success": true}' })
  async markRead(params: MessageParams) {
    const outcome = await translate(() => this.chat.markRead(params.space_code, params.thread_key, params.message_id));
    if (!outcome.success) throw RpcError.notFound(`message ${params.message_id}`);
    return outcome;
  }

  @RpcMethod('delete_message', { params: ['space_code', 'thread_key', 'message_id'], dto: MessageParams, returns: '{"success": true}' })
  deleteMessage(params: MessageParams) {
    return translate(() => this.chat.deleteMessage(params.space_code, params.thread_key, params.message_id));
  }

  @RpcMethod('watch_thread', { params: ['user_id', 'space_code', 'thread_key'], dto: WatchThreadParams, description: 'new messages as chat.message on chat:{uid}:{space_code}:{thread_key} while the user is online', returns: '{"success": true}' })
  async watchThread(params: WatchThreadParams) {
    await translate(() => this.chat.watchThread(params.user_id, params.space_code, params.thread_key));
    this.workflowControl.threadsChanged(params.user_id);
    return { success: true };
  }

  @RpcMethod('unwatch_thread', { params: ['user_id', 'space_code', 'thread_key'], dto: WatchThreadParams, returns: '{"success": bool} (false when the thread was not watched)' })
  async unwatchThread(params: WatchThreadParams) {
    const removed = await translate(() => this.chat.unwatchThread(params.user_id, params.space_code, params.thread_key));
    this.workflowControl.threadsChanged(params.user_id);
    return { success: removed };
  }
}

async function translate<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof RealtimeInputError || error instanceof FirestoreInputError) throw RpcError.invalidArgs(error.message);
    // A write that may still land is TIMEOUT (the call may still complete: clients do not retry it on their own).
    if (error instanceof RealtimeUnavailableError) throw new RpcError(error.outcomeUnknown ? 'TIMEOUT' : 'UNAVAILABLE', error.message, error.retryAfterMs);
    throw error;
  }
}
