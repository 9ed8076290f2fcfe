import { Injectable, Logger } from '@nestjs/common';
import { ChatHistory, ChatSummary } from '@suite/chat-history';
import { asError } from '@suite/logging';
import { InitializeResult, LlmSessionService } from '@suite/llm-sessions';
import { RealtimeChat } from '@suite/realtime-chat';
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
 * The thread a user has open is also followed in the Realtime Database (space_code = company_id):
 * enter_chat and switch_thread watch it, switch_thread and leave_chat stop watching the one left,
 * so messages written there reach `chat:{uid}:{cid}:{thread}` through the workflow listener.
 * Following is a side effect: when it fails (ids that are no Realtime Database path, Redis
 * refusing), it is logged and the call still answers.
 */
@RpcNamespace('LLM', { description: 'LLM sessions, chat presence and chat history' })
@Injectable()
export class LlmRpcHandler {
  private readonly logger = new Logger('LlmThreads');

  constructor(
    private readonly sessions: LlmSessionService,
    private readonly realtime: RealtimeChat,
  ) {}

  private async follow(change: 'watch' | 'unwatch', userId: string, companyId: string, threadKey: string): Promise<void> {
    try {
      if (change === 'watch') await this.realtime.watchThread(userId, companyId, threadKey);
      else await this.realtime.unwatchThread(userId, companyId, threadKey);
    } catch (error) {
      this.logger.warn({ event: 'llm_thread_follow_failed', change, user_id: userId, company_id: companyId, thread_key: threadKey, err: asError(error).message });
    }
  }

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
  async enterChat(params: ThreadParams) {
    const entered = await this.sessions.enterChat(params.user_id, params.company_id, params.thread_key);
    await this.follow('watch', params.user_id, params.company_id, params.thread_key);
    return entered;
  }

  @RpcMethod('leave_chat', { params: ['user_id', 'company_id'], dto: SessionParams, returns: '{"success": true, "is_on_chat_page": false}' })
  async leaveChat(params: SessionParams) {
    const open = await this.sessions.activeThread(params.user_id, params.company_id);
    const left = await this.sessions.leaveChat(params.user_id, params.company_id);
    if (open) await this.follow('unwatch', params.user_id, params.company_id, open);
    return left;
  }

  @RpcMethod('switch_thread', { params: ['user_id', 'company_id', 'thread_key'], dto: ThreadParams, returns: '{"success": true, "thread_key": str, "is_on_chat_page": true}' })
  async switchThread(params: ThreadParams) {
    const open = await this.sessions.activeThread(params.user_id, params.company_id);
    const switched = await this.sessions.switchThread(params.user_id, params.company_id, params.thread_key);
    if (open && open !== params.thread_key) await this.follow('unwatch', params.user_id, params.company_id, open);
    await this.follow('watch', params.user_id, params.company_id, params.thread_key);
    return switched;
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
