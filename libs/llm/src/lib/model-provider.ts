/** One turn of a chat, as sent to the model. */
export interface ChatTurn {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface CompletionRequest {
  messages: ChatTurn[];
  model: string;
  temperature?: number;
  maxTokens?: number;
  /** The end user, for the provider's abuse monitoring (seed 000: `{uid}_{cid}`). */
  user?: string;
  /** Aborts the call: `complete` rejects with the signal's reason, `stream` ends with finishReason "stopped". */
  signal?: AbortSignal;
}

export interface Completion {
  content: string;
  /** Prompt plus completion tokens as the provider counted them (estimated when it did not say). */
  tokensUsed: number;
  model: string;
  /** The provider's finish reason (`stop`, `length`, …), or `stopped` when the caller aborted a stream. */
  finishReason: string;
}

/** Which model endpoint the suite talks to (for /debug and logs; never the key). */
export interface ProviderDescription {
  provider: 'openai' | 'development-server' | 'none';
  base_url: string | null;
  default_model: string;
}

/** Called with each piece of a streamed answer, in order; `index` counts from 0. */
export type DeltaListener = (delta: string, index: number) => void;

/**
 * The model behind one interface. Every failure is an RpcError with the code the caller should
 * see (RATE_LIMITED, UNAVAILABLE, TIMEOUT, …) and a message of our own: never the provider's.
 */
export interface ModelProvider {
  readonly description: ProviderDescription;
  complete(request: CompletionRequest): Promise<Completion>;
  stream(request: CompletionRequest, onDelta: DeltaListener): Promise<Completion>;
  /** Whether the endpoint answers (GET /models), for /debug. */
  probe(timeoutMs: number): Promise<'ok' | 'error' | 'not_configured'>;
}

export const MODEL_PROVIDER = Symbol('MODEL_PROVIDER');
