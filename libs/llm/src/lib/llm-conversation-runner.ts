import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { EventPublisher } from '@suite/events';
import { asError } from '@suite/logging';
import { LlmConversationCompleteEvent, LlmConversationPayload, LlmConversationResult, LlmConversationUpdateEvent, TaskJobData } from '@suite/job-contracts';
import { execChecked, RedisConnections } from '@suite/redis';
import { buildConversationKey, CONVERSATION_TTL_SECONDS } from '@suite/redis-namespaces';
import { RpcError } from '@suite/rpc-contract';
import { InvalidTaskInputError, TaskCancelledError, TaskDurationExceededError } from '@suite/tasks';
import { StoredConversation } from './llm-conversations';
import { LlmService } from './llm.service';

/** What the task host gives the runner: progress steps on the task record, the abort signal, the attempt. */
export interface ConversationProgress {
  step(progress: number, currentStep: string, data?: unknown): Promise<void>;
  signal: AbortSignal;
  attempt: number;
}

/** Errors worth another attempt of the task (BullMQ backs off): the provider may answer later. */
const TRANSIENT_CODES = new Set(['RATE_LIMITED', 'TIMEOUT', 'UNAVAILABLE']);

/**
 * Seed 000's `process_llm_conversation`, run by the task-worker for a job on the `llm` queue:
 * progress `started` 10, `calling_llm` 30, `processing_response` 80 on the task record (as
 * `task.progress_update`) and as `llm.conversation_update`; one model call (which takes a
 * max_llm_requests_per_hour request); the conversation stored at
 * `conversation:{cid}:{uid}:{conversation_id}` for 24 h; then `llm.conversation_update`
 * `completed` 100 and `llm.conversation_complete` on `user:{uid}`.
 */
@Injectable()
export class LlmConversationRunner {
  private readonly logger = new Logger('LlmConversation');

  constructor(
    private readonly config: AppConfig,
    private readonly llm: LlmService,
    private readonly events: EventPublisher,
    private readonly redis: RedisConnections,
  ) {}

  async run(job: TaskJobData<LlmConversationPayload>, progress: ConversationProgress): Promise<LlmConversationResult> {
    const payload = job.payload;
    if (!payload || typeof payload.prompt !== 'string' || typeof payload.conversation_id !== 'string') {
      throw new InvalidTaskInputError('an llm_conversation job needs a conversation_id and a prompt');
    }
    try {
      await progress.step(10, 'initializing');
      await this.update(job, 'started', 10);
      await progress.step(30, 'calling_llm');
      await this.update(job, 'calling_llm', 30);
      const completion = await this.llm.complete(job.company_id, {
        model: payload.model,
        temperature: payload.temperature,
        user: `${job.user_id}_${job.company_id}`,
        signal: progress.signal,
        messages: [
          { role: 'system', content: `You assist user ${job.user_id} of company ${job.company_id}. Conversation context: ${payload.conversation_id}` },
          { role: 'user', content: payload.prompt },
        ],
      });
      await progress.step(80, 'processing_response');
      await this.update(job, 'processing_response', 80);
      const conversation: StoredConversation = {
        conversation_id: payload.conversation_id,
        user_id: job.user_id,
        company_id: job.company_id,
        prompt: payload.prompt,
        response: completion.content,
        model: completion.model,
        temperature: payload.temperature,
        timestamp: new Date().toISOString(),
        tokens_used: completion.tokensUsed,
      };
      const key = buildConversationKey(job.company_id, job.user_id, payload.conversation_id);
      await execChecked(
        this.redis.command
          .multi()
          .hset(key, { data: JSON.stringify(conversation), created_at: String(Date.now() / 1000) })
          .expire(key, CONVERSATION_TTL_SECONDS),
      );
      await this.update(job, 'completed', 100, { response: completion.content, tokens_used: completion.tokensUsed });
      const complete: LlmConversationCompleteEvent = { conversation_id: payload.conversation_id, response: completion.content, tokens_used: completion.tokensUsed };
      await this.events.publishToUser(job.user_id, 'llm.conversation_complete', complete, { job_id: job.task_id, trace_id: job.trace_id });
      return { conversation_id: payload.conversation_id, response: completion.content, tokens_used: completion.tokensUsed, model: completion.model };
    } catch (error) {
      throw await this.failed(job, progress, error);
    }
  }

  /** Publishes `failed` once the task will not be tried again, and tells the host whether to retry. */
  private async failed(job: TaskJobData<LlmConversationPayload>, progress: ConversationProgress, error: unknown): Promise<unknown> {
    if (error instanceof TaskCancelledError || error instanceof TaskDurationExceededError || error instanceof InvalidTaskInputError) return error;
    const rpcError = error instanceof RpcError ? error : null;
    const transient = rpcError === null || TRANSIENT_CODES.has(rpcError.code);
    const final = !transient || progress.attempt >= this.config.TASK_ATTEMPTS;
    const message = rpcError ? `${rpcError.code}: ${rpcError.message}` : 'the conversation failed unexpectedly';
    // Provider failures arrive as RpcErrors worded by us; anything else is our own (Redis, a bug), safe to log.
    this.logger.warn({ event: 'llm_conversation_failed', task_id: job.task_id, attempt: progress.attempt, final, rpc_code: rpcError?.code, ...(rpcError ? {} : { err: asError(error).message }) });
    if (final) {
      await this.update(job, 'failed', 0, { error: message, ...(rpcError?.retryAfterMs !== undefined ? { retry_after_ms: rpcError.retryAfterMs } : {}) }).catch(() => undefined);
    }
    return transient ? new Error(message) : new InvalidTaskInputError(message);
  }

  private async update(job: TaskJobData<LlmConversationPayload>, status: LlmConversationUpdateEvent['status'], percent: number, data: Record<string, unknown> = {}): Promise<void> {
    const payload: LlmConversationUpdateEvent = { conversation_id: job.payload.conversation_id, status, progress: percent, data };
    await this.events.publishToUser(job.user_id, 'llm.conversation_update', payload, { job_id: job.task_id, trace_id: job.trace_id });
  }
}
