import { Injectable } from '@nestjs/common';
import { EventPublisher } from '@suite/events';
import { ChatMessageEvent } from '@suite/job-contracts';
import { buildChatChannel } from '@suite/redis-namespaces';
import { RpcError } from '@suite/rpc-contract';
import { AnswerStops } from './answer-stops';
import { ChatTurn } from './model-provider';
import { LlmService } from './llm.service';

export interface ChatAnswerRequest {
  userId: string;
  companyId: string;
  threadKey: string;
  /** Id of the assistant message being written (every event of the answer carries it). */
  messageId: string;
  /** The context window the model sees (system, history, the new user message). */
  messages: ChatTurn[];
  model: string;
  temperature?: number;
  traceId?: string;
  /** Aborting it stops the answer, as does `AnswerStops.requestStop(messageId)` from any instance: the final event then says `finish_reason: "stopped"`. */
  signal?: AbortSignal;
  /**
   * Aborting it ends the stream without a final event and rejects with AnswerInterruptedError:
   * the answer is not over for the user (a worker shutting down; another one answers again).
   */
  interrupt?: AbortSignal;
}

/** The stream was ended by `interrupt`: no final event was published. */
export class AnswerInterruptedError extends Error {
  override readonly name = 'AnswerInterruptedError';
}

export interface ChatAnswer {
  messageId: string;
  content: string;
  tokensUsed: number;
  /** `stop`, `length`, `stopped` (the caller stopped it) or `error`. */
  finishReason: string;
  chunks: number;
  error?: { code: string; message: string; retry_after_ms?: number };
}

/**
 * Streams a model answer into a chat thread (SPEC §5): each piece is published at once as
 * `chat.message` `{message_id, role: "assistant", delta, index, is_final: false}` on
 * `chat:{uid}:{cid}:{thread}`, then one `{message_id, role, content, is_final: true, tokens_used}`.
 * The publishes go out on one connection in order, without waiting for each other, so a slow
 * Redis round trip does not hold the next piece back. A failed model call still ends with the
 * final event (`finish_reason: "error"`, what was streamed so far, and the error's code) before
 * the RpcError is rethrown; storing the message is the caller's job (chat history).
 */
@Injectable()
export class ChatAnswerStreamer {
  constructor(
    private readonly llm: LlmService,
    private readonly events: EventPublisher,
    private readonly stops: AnswerStops,
  ) {}

  async stream(request: ChatAnswerRequest): Promise<ChatAnswer> {
    const channel = buildChatChannel(request.userId, request.companyId, request.threadKey);
    const meta = { trace_id: request.traceId };
    const publishes: Array<Promise<unknown>> = [];
    const publish = (payload: ChatMessageEvent) => {
      const sent = this.events.publishToChannel(channel, request.userId, 'chat.message', payload, meta);
      sent.catch(() => undefined); // awaited below
      publishes.push(sent);
    };
    let chunks = 0;
    let streamed = '';
    const stopWatch = this.stops.watch(request.messageId);
    const signal = AbortSignal.any([stopWatch.signal, ...(request.signal ? [request.signal] : []), ...(request.interrupt ? [request.interrupt] : [])]);
    const interrupted = async (): Promise<never> => {
      await Promise.allSettled(publishes);
      throw new AnswerInterruptedError(`the answer ${request.messageId} was interrupted after ${chunks} pieces`);
    };
    try {
      const completion = await this.llm.stream(
        request.companyId,
        { messages: request.messages, model: request.model, temperature: request.temperature, user: `${request.userId}_${request.companyId}`, signal },
        (delta, index) => {
          chunks = index + 1;
          streamed += delta;
          publish({ message_id: request.messageId, role: 'assistant', delta, index, is_final: false });
        },
      );
      if (request.interrupt?.aborted) return await interrupted();
      publish({ message_id: request.messageId, role: 'assistant', content: completion.content, is_final: true, tokens_used: completion.tokensUsed, finish_reason: completion.finishReason });
      await Promise.all(publishes);
      return { messageId: request.messageId, content: completion.content, tokensUsed: completion.tokensUsed, finishReason: completion.finishReason, chunks };
    } catch (error) {
      if (error instanceof AnswerInterruptedError) throw error;
      if (request.interrupt?.aborted) return await interrupted();
      const rpcError = error instanceof RpcError ? error : new RpcError('INTERNAL', 'the answer failed unexpectedly');
      const failure = { code: rpcError.code, message: rpcError.message, ...(rpcError.retryAfterMs !== undefined ? { retry_after_ms: rpcError.retryAfterMs } : {}) };
      const final = { message_id: request.messageId, role: 'assistant' as const, content: streamed, is_final: true as const, tokens_used: 0, finish_reason: 'error', error: failure };
      publish(final);
      await Promise.allSettled(publishes);
      throw rpcError;
    } finally {
      stopWatch.dispose();
    }
  }
}
