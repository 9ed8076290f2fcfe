import { Logger } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { asError } from '@suite/logging';
import { RpcError } from '@suite/rpc-contract';
import OpenAI from 'openai';
import type { ChatCompletionChunk, ChatCompletionCreateParamsBase } from 'openai/resources/chat/completions';
import { LlmEndpoint, resolveLlmEndpoint } from './llm-endpoint';
import { Completion, CompletionRequest, DeltaListener, ModelProvider, ProviderDescription } from './model-provider';
import { describeFailure, ErrorContext, toRpcError } from './provider-errors';

/** The stream sent nothing for LLM_STREAM_IDLE_TIMEOUT_MS. */
class StreamIdleTimeout extends Error {}

/** No answer (or, for a stream, no response headers) within LLM_REQUEST_TIMEOUT_MS. */
class RequestTimeout extends Error {}

/**
 * Our own timers abort the request, and the reason they leave on the signal tells which one
 * fired: the openai client's error classes for an abort depend on the runtime's AbortError.
 */
class CallAbort {
  readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private readonly onCallerAbort = () => this.controller.abort();

  constructor(private readonly callerSignal: AbortSignal | undefined) {
    callerSignal?.addEventListener('abort', this.onCallerAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** (Re)arms the one timer: the request timeout, then the stream's idle timeout. */
  arm(ms: number, reason: () => Error): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.controller.abort(reason()), ms);
  }

  get timedOut(): Error | undefined {
    const reason: unknown = this.controller.signal.reason;
    return reason instanceof StreamIdleTimeout || reason instanceof RequestTimeout ? reason : undefined;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.callerSignal?.removeEventListener('abort', this.onCallerAbort);
  }
}

/**
 * The model provider on the real `openai` client, against OpenAI or any OpenAI-compatible endpoint
 * (the development model server locally). The client does not retry by itself: a refused call
 * surfaces at once as an RpcError, and the caller (the task queue, the client) decides when to
 * retry, honouring retry_after_ms.
 */
export class OpenAiModelProvider implements ModelProvider {
  private readonly logger = new Logger('Llm');
  private readonly endpoint: LlmEndpoint;
  private readonly client: OpenAI | null;
  readonly description: ProviderDescription;

  constructor(private readonly config: AppConfig) {
    this.endpoint = resolveLlmEndpoint(config);
    const { apiKey: _key, ...description } = this.endpoint;
    this.description = description;
    this.client =
      this.endpoint.apiKey && this.endpoint.base_url
        ? new OpenAI({ apiKey: this.endpoint.apiKey, baseURL: this.endpoint.base_url, timeout: config.LLM_REQUEST_TIMEOUT_MS + 1000, maxRetries: 0 })
        : null;
    this.logger.log({
      event: 'llm_provider',
      provider: description.provider,
      base_url: description.base_url,
      default_model: description.default_model,
      ...(description.provider === 'development-server' ? { note: 'development model server: deterministic answers, not a language model' } : {}),
    });
  }

  async complete(request: CompletionRequest): Promise<Completion> {
    const client = this.requireClient();
    const started = Date.now();
    if (request.signal?.aborted) throw request.signal.reason;
    const abort = new CallAbort(request.signal);
    abort.arm(this.config.LLM_REQUEST_TIMEOUT_MS, () => new RequestTimeout());
    try {
      const response = await client.chat.completions.create({ ...this.body(request), stream: false }, { signal: abort.signal });
      const choice = response.choices[0];
      const content = choice?.message?.content ?? '';
      const completion: Completion = {
        content,
        tokensUsed: response.usage?.total_tokens ?? estimateTokens(request, content),
        model: response.model || request.model,
        finishReason: choice?.finish_reason ?? 'stop',
      };
      this.logCall('complete', request, completion, started);
      return completion;
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason ?? error;
      throw this.failed('complete', request, abort.timedOut ? this.timeoutError(abort.timedOut) : error, started);
    } finally {
      abort.dispose();
    }
  }

  async stream(request: CompletionRequest, onDelta: DeltaListener): Promise<Completion> {
    const client = this.requireClient();
    const started = Date.now();
    const abort = new CallAbort(request.signal);
    let content = '';
    let index = 0;
    let tokensUsed: number | undefined;
    let finishReason = 'stop';
    let model = request.model;
    try {
      if (request.signal?.aborted) return { content, tokensUsed: 0, model, finishReason: 'stopped' };
      abort.arm(this.config.LLM_REQUEST_TIMEOUT_MS, () => new RequestTimeout());
      const stream = await client.chat.completions.create({ ...this.body(request), stream: true, stream_options: { include_usage: true } }, { signal: abort.signal });
      const idle = () => abort.arm(this.config.LLM_STREAM_IDLE_TIMEOUT_MS, () => new StreamIdleTimeout());
      idle();
      for await (const chunk of stream as AsyncIterable<ChatCompletionChunk>) {
        idle();
        if (chunk.model) model = chunk.model;
        if (chunk.usage) tokensUsed = chunk.usage.total_tokens;
        const choice = chunk.choices[0];
        if (choice?.finish_reason) finishReason = choice.finish_reason;
        const delta = choice?.delta?.content;
        if (delta) {
          content += delta;
          onDelta(delta, index++);
        }
      }
      // An aborted stream may end its iteration quietly instead of throwing.
      if (abort.signal.aborted) throw abort.signal.reason;
      const completion: Completion = { content, tokensUsed: tokensUsed ?? estimateTokens(request, content), model, finishReason };
      this.logCall('stream', request, completion, started);
      return completion;
    } catch (error) {
      if (request.signal?.aborted) {
        const completion: Completion = { content, tokensUsed: estimateTokens(request, content), model, finishReason: 'stopped' };
        this.logCall('stream', request, completion, started);
        return completion;
      }
      throw this.failed('stream', request, abort.timedOut ? this.timeoutError(abort.timedOut) : error, started, index);
    } finally {
      abort.dispose();
    }
  }

  async probe(timeoutMs: number): Promise<'ok' | 'error' | 'not_configured'> {
    if (!this.client) return 'not_configured';
    try {
      await this.client.models.list({ timeout: timeoutMs });
      return 'ok';
    } catch {
      return 'error';
    }
  }

  private body(request: CompletionRequest): ChatCompletionCreateParamsBase {
    return {
      model: request.model,
      messages: request.messages,
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      max_tokens: request.maxTokens ?? this.config.LLM_MAX_OUTPUT_TOKENS,
      ...(request.user ? { user: request.user } : {}),
    };
  }

  private timeoutError(reason: Error): RpcError {
    const who = this.description.provider === 'development-server' ? 'the development model server' : 'the model provider';
    if (reason instanceof StreamIdleTimeout) {
      return new RpcError('TIMEOUT', `${who} sent nothing for LLM_STREAM_IDLE_TIMEOUT_MS (${this.config.LLM_STREAM_IDLE_TIMEOUT_MS} ms) while streaming`);
    }
    return new RpcError('TIMEOUT', `${who} did not answer within LLM_REQUEST_TIMEOUT_MS (${this.config.LLM_REQUEST_TIMEOUT_MS} ms)`);
  }

  private requireClient(): OpenAI {
    if (this.client) return this.client;
    throw new RpcError('UNAVAILABLE', 'no model is configured: set OPENAI_API_KEY (or OPENAI_BASE_URL to the development model server)');
  }

  private errorContext(request: CompletionRequest): ErrorContext {
    return {
      model: request.model,
      unavailableRetryMs: this.config.LLM_UNAVAILABLE_RETRY_MS,
      requestTimeoutMs: this.config.LLM_REQUEST_TIMEOUT_MS,
      development: this.description.provider === 'development-server',
    };
  }

  private failed(call: 'complete' | 'stream', request: CompletionRequest, error: unknown, started: number, chunks?: number): RpcError {
    const rpcError = toRpcError(error, this.errorContext(request));
    this.logger.warn({
      event: 'llm_call_failed',
      call,
      provider: this.description.provider,
      model: request.model,
      ms: Date.now() - started,
      ...(chunks !== undefined ? { chunks } : {}),
      ...describeFailure(error, rpcError),
      ...(error instanceof RpcError || isOpenAiError(error) ? {} : { err: asError(error).name }),
    });
    return rpcError;
  }

  private logCall(call: 'complete' | 'stream', request: CompletionRequest, completion: Completion, started: number): void {
    this.logger.log({
      event: 'llm_call',
      call,
      provider: this.description.provider,
      model: request.model,
      ms: Date.now() - started,
      tokens_used: completion.tokensUsed,
      finish_reason: completion.finishReason,
    });
  }
}

function isOpenAiError(error: unknown): boolean {
  return error instanceof OpenAI.OpenAIError;
}

/** When the provider does not report usage: about four characters a token. */
function estimateTokens(request: CompletionRequest, content: string): number {
  const characters = request.messages.reduce((sum, message) => sum + message.content.length, 0) + content.length;
  return Math.ceil(characters / 4);
}
