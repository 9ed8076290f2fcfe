import { Injectable } from '@nestjs/common';
import { ChatHistory, ChatSummary } from '@suite/chat-history';
import { InitializeResult, LlmSessionService } from '@suite/llm-sessions';
import { SAFE_KEY_PART_PATTERN } from '@suite/redis-namespaces';
import { RpcMethod, RpcNamespace } from '@suite/rpc-contract';
import { IsOptional, IsString, Matches } from 'class-validator';

/** Ids go into Redis keys: no ':' (the separator), braces, whitespace or glob characters. */
const KEY_PART = { message: '$property must be 1-256 characters without ":", braces, whitespace or glob characters' };

export class SessionParams {
  @IsString() @Matches(SAFE_KEY_PART_PATTERN, KEY_PART) user_id!: string;
  @IsString() @Matches(SAFE_KEY_PART_PATTERN, KEY_PART) company_id!: string;
}

export class InitializeSessionParams extends SessionParams {
  @IsOptional() @IsString() @Matches(SAFE_KEY_PART_PATTERN, KEY_PART) client_uuid?: string;
}

export class ThreadParams extends SessionParams {
  @IsString() @Matches(SAFE_KEY_PART_PATTERN, KEY_PART) thread_key!: string;
}

/**
 * `LLM.*` sessions and threads (seeds 003 and 004), all state in Redis so any gateway instance
 * serves any user. The model calls (send_message, stop_message, conversations) are other handlers.
 */
@RpcNamespace('LLM', { description: 'LLM sessions, chat presence and chat history' })
@Injectable()
export class LlmRpcHandler {
  constructor(private readonly sessions: LlmSessionService) {}

  @RpcMethod('initialize_session', {
    params: ['user_id', 'company_id', 'client_uuid'],
    dto: InitializeSessionParams,
    returns: '{"success": true, "status": "created" | "refreshed", "session_key": str, "data_source": str, "jobs_count": int}',
    description: 'loads the profile and jobs (Firestore, cached), saves the session; status created|refreshed',
  })
  initializeSession(params: InitializeSessionParams): Promise<InitializeResult> {
    return this.sessions.initializeSession(params.user_id, params.company_id, params.client_uuid);
  }

  @RpcMethod('enter_chat', { params: ['user_id', 'company_id', 'thread_key'], dto: ThreadParams, returns: '{"success": true, "thread_key": str, "is_on_chat_page": true}' })
  enterChat(params: ThreadParams) {
    return this.sessions.enterChat(params.user_id, params.company_id, params.thread_key);
  }

  @RpcMethod('leave_chat', { params: ['user_id', 'company_id'], dto: SessionParams, returns: '{"success": true, "is_on_chat_page": false}' })
  leaveChat(params: SessionParams) {
    return this.sessions.leaveChat(params.user_id, params.company_id);
  }

  @RpcMethod('switch_thread', { params: ['user_id', 'company_id', 'thread_key'], dto: ThreadParams, returns: '{"success": true, "thread_key": str, "is_on_chat_page": true}' })
  switchThread(params: ThreadParams) {
    return this.sessions.switchThread(params.user_id, params.company_id, params.thread_key);
  }

  @RpcMethod('is_user_on_thread', { params: ['user_id', 'company_id', 'thread_key'], dto: ThreadParams, description: 'true while the user is on the chat page with this thread active', returns: 'bool' })
  isUserOnThread(params: ThreadParams): Promise<boolean> {
    return this.sessions.isUserOnThread(params.user_id, params.company_id, params.thread_key);
  }

  @RpcMethod('get_chat_history', {
    params: ['user_id', 'company_id', 'thread_key'],
    dto: ThreadParams,
    returns: '{"thread_key": str, "messages": [dict], "system_prompt": str, "metadata": dict, "status": str, "message_count": int, "created_at": str, "updated_at": str, "version": str}',
  })
  getChatHistory(params: ThreadParams): Promise<ChatHistory> {
    return this.sessions.getChatHistory(params.user_id, params.company_id, params.thread_key);
  }

  @RpcMethod('clear_chat', { params: ['user_id', 'company_id', 'thread_key'], dto: ThreadParams, description: 'drops the messages, keeps the system prompt', returns: '{"success": true, "thread_key": str, "cleared_messages": int}' })
  clearChat(params: ThreadParams) {
    return this.sessions.clearChat(params.user_id, params.company_id, params.thread_key);
  }

  @RpcMethod('list_chats', { params: ['user_id', 'company_id'], dto: SessionParams, description: 'the user threads in the company, newest first', returns: '[{"thread_key": str, "message_count": int, "status": str, "updated_at": str}]' })
  listChats(params: SessionParams): Promise<ChatSummary[]> {
    return this.sessions.listChats(params.user_id, params.company_id);
  }

  @RpcMethod('close_session', { params: ['user_id', 'company_id'], dto: SessionParams, returns: '{"success": true, "closed": bool}' })
  closeSession(params: SessionParams) {
    return this.sessions.closeSession(params.user_id, params.company_id);
  }
}
