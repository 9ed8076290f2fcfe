import { Injectable } from '@nestjs/common';
import { ChatHistoryInputError, ChatHistoryStore, ChatThreadRef } from '@suite/chat-history';
import { AppConfig } from '@suite/config';
import { CHAT_ANSWER_JOB, ChatAnswerJobData, chatAnswerJobId } from '@suite/job-contracts';
import { AnswerStops, checkCallerChoices, LlmRequestQuota } from '@suite/llm';
import { LogContext } from '@suite/logging';
import { TaskQueues } from '@suite/queues';
import { execChecked, RedisConnections } from '@suite/redis';
import { buildChatAnsweringKey, CHAT_ANSWERING_TTL_SECONDS } from '@suite/redis-namespaces';
import { RpcError } from '@suite/rpc-contract';
import { randomUUID } from 'node:crypto';

export interface SendMessageRequest extends ChatThreadRef {
  message: string;
  model?: string;
  temperature?: number;
}

export interface SendMessageResult {
  success: true;
  /** The assistant answer's id: every `chat.message` event of the answer and the stored message carry it. */
  message_id: string;
  /** The stored user message. */
  user_message_id: string;
  /** `queued`: the answer streams once a task-worker of the `llm` queue takes it (at once when one is free). */
  status: 'queued';
}

export interface StopMessageResult {
  success: true;
  /** The answers a stop was sent to. */
  stopped: string[];
}

/**
 * The gateway side of `LLM.send_message` and `LLM.stop_message`: the user message is stored (one
 * atomic append), the answer queued on the `llm` queue as a `chat_answer` job and the call answered
 * at once; a task-worker streams the answer (ChatAnswerWriter). A company whose model requests of
 * the hour are spent is refused here, before anything is stored.
 */
@Injectable()
export class ChatMessageSender {
  constructor(
    private readonly config: AppConfig,
    private readonly chats: ChatHistoryStore,
    private readonly quota: LlmRequestQuota,
    private readonly queues: TaskQueues,
    private readonly stops: AnswerStops,
    private readonly redis: RedisConnections,
  ) {}

  async send(request: SendMessageRequest): Promise<SendMessageResult> {
    const { model, temperature } = checkCallerChoices(this.config, { prompt: request.message, model: request.model, temperature: request.temperature }, 'message');
    this.checkFitsWindow(request.message);
    await this.quota.ensureLeft(request.companyId);
    const thread: ChatThreadRef = { userId: request.userId, companyId: request.companyId, threadKey: request.threadKey };
    const messageId = randomUUID();
    const answering = buildChatAnsweringKey(thread.userId, thread.companyId, thread.threadKey);
    // One round trip for both: an id left in the answering set by a refused append only makes a
    // later stop of the thread send a stop nobody listens to.
    const [userMessage] = await Promise.all([
      inputChecked(() => this.chats.appendUserMessage(thread, request.message)),
      execChecked(this.redis.command.multi().sadd(answering, messageId).expire(answering, CHAT_ANSWERING_TTL_SECONDS)),
    ]);
    const data: ChatAnswerJobData = {
      user_id: thread.userId,
      company_id: thread.companyId,
      thread_key: thread.threadKey,
      message_id: messageId,
      user_message_id: userMessage.id,
      user_message_seq: userMessage.seq,
      model,
      ...(temperature !== undefined ? { temperature } : {}),
      trace_id: LogContext.current().trace_id,
    };
    await this.queues.queue('llm').add(CHAT_ANSWER_JOB, data, {
      jobId: chatAnswerJobId(messageId),
      attempts: this.config.TASK_ATTEMPTS,
      backoff: { type: 'exponential', delay: this.config.TASK_RETRY_DELAY_MS },
      removeOnComplete: { age: 3600, count: 10_000 },
      removeOnFail: { age: 86_400 },
    });
    return { success: true, message_id: messageId, user_message_id: userMessage.id, status: 'queued' };
  }

  /**
   * At most half of LLM_CONTEXT_WINDOW_TOKENS, so the model always sees the question beside the
   * thread. A token covers at least one UTF-8 byte, so a message of fewer bytes than the limit is
   * not tokenized here (the append counts its tokens anyway).
   */
  private checkFitsWindow(message: string): void {
    const limit = this.config.LLM_CONTEXT_WINDOW_TOKENS / 2;
    if (Buffer.byteLength(message, 'utf8') <= limit) return;
    const tokens = this.chats.countTokens(message);
    if (tokens > limit) {
      throw RpcError.invalidArgs(`message is ${tokens} tokens; at most half of LLM_CONTEXT_WINDOW_TOKENS (${this.config.LLM_CONTEXT_WINDOW_TOKENS}) fits beside the thread`);
    }
  }

  /**
   * Stops one answer of the thread, or every answer of it still streaming or queued when no id is
   * given. An id that is not an answer of this thread still being written stops nothing.
   */
  async stop(thread: ChatThreadRef, messageId?: string): Promise<StopMessageResult> {
    const answering = buildChatAnsweringKey(thread.userId, thread.companyId, thread.threadKey);
    const ids =
      messageId !== undefined
        ? (await this.redis.command.sismember(answering, messageId)) === 1
          ? [messageId]
          : []
        : await this.redis.command.smembers(answering);
    await Promise.all(ids.map((id) => this.stops.requestStop(id)));
    return { success: true, stopped: ids };
  }
}

async function inputChecked<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof ChatHistoryInputError) throw RpcError.invalidArgs(error.message);
    throw error;
  }
}
