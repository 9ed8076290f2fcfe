import { Injectable, Logger } from '@nestjs/common';
import { ChatHistoryStore, ChatThreadRef } from '@suite/chat-history';
import { AppConfig } from '@suite/config';
import { EventPublisher } from '@suite/events';
import { ChatAnswerJobData, ChatMessageEvent } from '@suite/job-contracts';
import { AnswerInterruptedError, ChatAnswer, ChatAnswerStreamer, ChatTurn } from '@suite/llm';
import { asError } from '@suite/logging';
import { RedisConnections } from '@suite/redis';
import { buildChatAnsweringKey, buildChatChannel } from '@suite/redis-namespaces';

export interface ChatAnswerOutcome {
  message_id: string;
  /** `stop`, `length`, `stopped` (LLM.stop_message), `error`, or `already_stored` (a re-run after the answer was stored). */
  finish_reason: string;
  stored: boolean;
  chunks: number;
  tokens_used: number;
  error?: ChatAnswer['error'];
}

/** Tries of the store once the answer is whole: a Redis blip must not cost a second model call. */
const STORE_TRIES = 3;
const STORE_RETRY_MS = 250;

/**
 * The task-worker side of `LLM.send_message`: the model sees the thread's context window up to the
 * user message (LLM_CONTEXT_WINDOW_TOKENS, system prompt kept), the answer streams as
 * `chat.message` events (ChatAnswerStreamer), then is stored once by its message id, so a job
 * re-run after its worker died (BullMQ's stalled-job check) stores one assistant message however
 * many attempts streamed. A stopped answer is stored with what was streamed and `finish_reason:
 * "stopped"`; a failed one is not stored (its final event carries the error), and the job is not
 * retried: the user saw it.
 */
@Injectable()
export class ChatAnswerWriter {
  private readonly logger = new Logger('ChatAnswers');

  constructor(
    private readonly config: AppConfig,
    private readonly chats: ChatHistoryStore,
    private readonly streamer: ChatAnswerStreamer,
    private readonly events: EventPublisher,
    private readonly redis: RedisConnections,
  ) {}

  /**
   * `shutdown` aborted (the worker's drain grace ran out) ends the stream without a final event
   * and rejects without storing: the job's attempt fails and another worker answers again, from
   * `index` 0. Only a user's stop stores a stopped answer.
   */
  async write(job: ChatAnswerJobData, attempt: number, shutdown?: AbortSignal): Promise<ChatAnswerOutcome> {
    const thread: ChatThreadRef = { userId: job.user_id, companyId: job.company_id, threadKey: job.thread_key };
    const [alreadyStored, context] = await Promise.all([
      this.chats.hasMessageOnce(thread, job.message_id),
      this.chats.contextWindow(thread, this.config.LLM_CONTEXT_WINDOW_TOKENS, job.user_message_seq),
    ]);
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
    let answer: ChatAnswer;
    try {
      answer = await this.streamer.stream({
        userId: job.user_id,
        companyId: job.company_id,
        threadKey: job.thread_key,
        messageId: job.message_id,
        messages,
        model: job.model,
        temperature: job.temperature,
        traceId: job.trace_id,
        interrupt: shutdown,
      });
    } catch (error) {
      if (error instanceof AnswerInterruptedError) {
        this.logger.warn({ event: 'chat_answer_interrupted', message_id: job.message_id, attempt });
        throw new Error('the worker shut down during the answer; it is answered again');
      }
      answer = failedAnswer(job.message_id, error);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;

    let stored = false;
    if (answer.finishReason !== 'error' && answer.content.trim().length > 0) {
      const metadata = { finish_reason: answer.finishReason, tokens_used: answer.tokensUsed, reply_to: job.user_message_id, model: job.model };
      const outcome = await this.storeOnce(thread, { role: 'assistant', id: job.message_id, content: answer.content, metadata });
      stored = outcome === 'appended';
      if (outcome === 'no_chat') this.logger.log({ event: 'chat_answer_thread_gone', message_id: job.message_id, thread_key: job.thread_key });
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

  /**
   * The job failed for good (attempts spent, stalled too often): the user gets a final event saying
   * so, and the thread forgets the answer, instead of waiting for one that never comes.
   */
  async giveUp(job: ChatAnswerJobData, reason: string): Promise<void> {
    const thread: ChatThreadRef = { userId: job.user_id, companyId: job.company_id, threadKey: job.thread_key };
    if (await this.chats.hasMessageOnce(thread, job.message_id).catch(() => false)) return;
    const final: ChatMessageEvent = {
      message_id: job.message_id,
      role: 'assistant',
      content: '',
      is_final: true,
      tokens_used: 0,
      finish_reason: 'error',
      error: { code: 'UNAVAILABLE', message: 'the answer could not be written; send the message again' },
    };
    await this.events.publishToChannel(buildChatChannel(job.user_id, job.company_id, job.thread_key), job.user_id, 'chat.message', final, { trace_id: job.trace_id });
    await this.doneAnswering(thread, job.message_id);
    this.logger.warn({ event: 'chat_answer_failed', message_id: job.message_id, thread_key: job.thread_key, reason });
  }

  private async storeOnce(thread: ChatThreadRef, input: Parameters<ChatHistoryStore['appendMessageOnce']>[1]) {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return (await this.chats.appendMessageOnce(thread, input)).outcome;
      } catch (error) {
        if (attempt >= STORE_TRIES) throw error;
        this.logger.warn({ event: 'chat_answer_store_retry', message_id: input.id, attempt, err: asError(error).message });
        await new Promise((resolve) => setTimeout(resolve, STORE_RETRY_MS * attempt));
      }
    }
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
