import OpenAI, { APIConnectionError, APIError, RateLimitError } from 'openai';
import { EmbeddingProvider, EmbeddingSpec, EmbeddingUnavailableError } from './embedding-provider';

export const OPENAI_PROVIDER = 'openai';

/** Dimensions of the OpenAI models, so the spec is known without a call. */
const KNOWN_DIMENSIONS: Record<string, number> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};

export interface OpenAiEmbeddingSettings {
  apiKey?: string;
  baseUrl?: string;
  model: string;
  /** Asked of the API (text-embedding-3 models can shorten their vectors). */
  dimensions?: number;
  /** Texts per API request. */
  batchSize: number;
  timeoutMs: number;
}

/** OpenAI embeddings (or any OpenAI-compatible `/v1/embeddings` server) through the `openai` client. */
export class OpenAiEmbeddingProvider implements EmbeddingProvider {
  readonly provider = OPENAI_PROVIDER;
  readonly model: string;
  private readonly client: OpenAI;
  private learnedDimension?: Promise<number>;

  constructor(private readonly settings: OpenAiEmbeddingSettings) {
    this.model = settings.model;
    this.client = new OpenAI({ apiKey: settings.apiKey ?? 'not-needed', baseURL: settings.baseUrl, timeout: settings.timeoutMs, maxRetries: 1 });
  }

  async spec(signal?: AbortSignal): Promise<EmbeddingSpec> {
    const known = this.settings.dimensions ?? KNOWN_DIMENSIONS[this.model];
    if (known) return { provider: this.provider, model: this.model, dimension: known };
    this.learnedDimension ??= this.embed(['dimension probe'], signal).then(([vector]) => vector.length);
    this.learnedDimension.catch(() => (this.learnedDimension = undefined));
    return { provider: this.provider, model: this.model, dimension: await this.learnedDimension };
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += this.settings.batchSize) {
      const input = texts.slice(start, start + this.settings.batchSize);
      try {
        const response = await this.client.embeddings.create(
          { model: this.model, input, encoding_format: 'float', ...(this.settings.dimensions ? { dimensions: this.settings.dimensions } : {}) },
          { signal },
        );
        const ordered = [...response.data].sort((a, b) => a.index - b.index);
        if (ordered.length !== input.length) throw new EmbeddingUnavailableError(`the embeddings API answered ${ordered.length} vectors for ${input.length} texts`);
        vectors.push(...ordered.map((item) => item.embedding));
      } catch (error) {
        throw translate(error);
      }
    }
    return vectors;
  }
}

/** Connection failures, rate limits and 5xx are worth a retry; anything else is reported as is (without the provider's text). */
function translate(error: unknown): Error {
  if (error instanceof EmbeddingUnavailableError) return error;
  if (error instanceof RateLimitError) return new EmbeddingUnavailableError('the embeddings API is rate limited', retryAfter(error) ?? 5000);
  if (error instanceof APIConnectionError) return new EmbeddingUnavailableError('the embeddings API cannot be reached');
  if (error instanceof APIError && (error.status ?? 0) >= 500) return new EmbeddingUnavailableError(`the embeddings API failed (HTTP ${error.status})`);
  if (error instanceof APIError) return new Error(`the embeddings API refused the request (HTTP ${error.status})`);
  return error instanceof Error ? error : new Error(String(error));
}

function retryAfter(error: APIError): number | undefined {
  const seconds = Number(error.headers?.get?.('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}
