import { Injectable, Logger } from '@nestjs/common';
import { ChatHistoryStore, ChatThreadRef } from '@suite/chat-history';
import { AppConfig } from '@suite/config';
import { ChatAnswerJobData } from '@suite/job-contracts';
import { ChatAnswer, ChatAnswerStreamer, ChatTurn } from '@suite/llm';
import { RedisConnections } from '@suite/redis';
import { buildChatAnsweringKey } from '@suite/redis-namespaces';

export interface ChatAnswerOutcome {
  message_id: string;
  /** `stop`, `length`, `stopped` (LLM.stop_message), `error`, or `already_stored` (a re-run after the answer was stored). */
  finish_reason: string;
  stored: boolean;
  chunks: number;
  tokens_used: number;
  error?: ChatAnswer['error'];
}

/**
 * The task-worker side of `LLM.send_message`: the model sees the thread's context window
 * (LLM_CONTEXT_WINDOW_TOKENS, system prompt kept), the answer streams as `chat.message` events
 * (ChatAnswerStreamer), then is stored once by its message id, so a job re-run after its worker
 * died (BullMQ's stalled-job check) stores one assistant message however many attempts streamed.
 * A stopped answer is stored with what was streamed and `finish_reason: "stopped"`; a failed one
 * is not stored (its final event carries the error), and the job is not retried: the user saw it.
 */
@Injectable()
export class ChatAnswerWriter {
  private readonly logger = new Logger('ChatAnswers');

  constructor(
    private readonly config: AppConfig,
    private readonly chats: ChatHistoryStore,
    private readonly streamer: ChatAnswerStreamer,
    private readonly redis: RedisConnections,
  ) {}

  /**
   * `shutdown` aborted (the worker's drain grace ran out) ends the stream and rejects without
   * storing: the job's attempt fails and another worker answers again. Only a user's stop stores a
   * stopped answer.
   */
  async write(job: ChatAnswerJobData, attempt: number, shutdown?: AbortSignal): Promise<ChatAnswerOutcome> {
    const thread: ChatThreadRef = { userId: job.user_id, companyId: job.company_id, threadKey: job.thread_key };
    const [alreadyStored, context] = await Promise.all([this.chats.hasMessageOnce(thread, job.message_id), this.chats.contextWindow(thread, this.config.LLM_CONTEXT_WINDOW_TOKENS)]);
    if (alreadyStored) {
      await this.doneAnswering(thread, job.message_id);
      return { message_id: job.message_id, finish_reason: 'already_stored', stored: false, chunks: 0, tokens_used: 0 };
    }
    const messages: ChatTurn[] = [
      ...(context?.system_prompt ? [{ role: 'system' as const, content: context.system_prompt }] : []),
      ...(context?.messages ?? []).filter((message) => message.role !== 'tool').map((message) => ({ role: message.role as ChatTurn['role'], content: message.content })),
    ];
    this.logger.log({ event: 'chat_answer_start', message_id: job.message_id, thread_key: job.thread_key, attempt, context_messages: messages.length });
    const started = process.hrtime.bigint();
    const answer = await this.streamer.stream({
      userId: job.user_id,
      companyId: job.company_id,
      threadKey: job.thread_key,
      messageId: job.message_id,
      messages,
      model: job.model,
      temperature: job.temperature,
      traceId: job.trace_id,
      signal: shutdown,
    }).catch((error: unknown) => failedAnswer(job.message_id, error));
    if (shutdown?.aborted) {
      this.logger.warn({ event: 'chat_answer_interrupted', message_id: job.message_id, attempt, chunks: answer.chunks });
      throw new Error('the worker shut down during the answer; it is answered again');
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;

    let stored = false;
    if (answer.finishReason !== 'error' && answer.content.trim().length > 0) {
      const metadata = { finish_reason: answer.finishReason, tokens_used: answer.tokensUsed, reply_to: job.user_message_id, model: job.model };
      const outcome = await this.chats.appendMessageOnce(thread, { role: 'assistant', id: job.message_id, content: answer.content, metadata });
      stored = !outcome.duplicate;
    }
    await this.doneAnswering(thread, job.message_id);
    this.logger.log({
      event: 'chat_answer_done',
      message_id: job.message_id,
      thread_key: job.thread_key,
      attempt,
      finish_reason: answer.finishReason,
      chunks: answer.chunks,
      tokens_used: answer.tokensUsed,
      stored,
      duration_ms: Math.round(seconds * 1000),
      ...(answer.error ? { error_code: answer.error.code } : {}),
    });
    return { message_id: job.message_id, finish_reason: answer.finishReason, stored, chunks: answer.chunks, tokens_used: answer.tokensUsed, ...(answer.error ? { error: answer.error } : {}) };
  }

  private async doneAnswering(thread: ChatThreadRef, messageId: string): Promise<void> {
    await this.redis.command.srem(buildChatAnsweringKey(thread.userId, thread.companyId, thread.threadKey), messageId);
  }
}

/** The streamer has already published the final event of a failed answer; what is left is the outcome. */
function failedAnswer(messageId: string, error: unknown): ChatAnswer {
  const rpc = error as { code?: string; message?: string; retryAfterMs?: number };
  return {
    messageId,
    content: '',
    tokensUsed: 0,
    finishReason: 'error',
    chunks: 0,
    error: { code: rpc.code ?? 'INTERNAL', message: rpc.message ?? 'the answer failed', ...(rpc.retryAfterMs !== undefined ? { retry_after_ms: rpc.retryAfterMs } : {}) },
  };
}
