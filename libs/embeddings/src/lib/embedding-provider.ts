/** What a collection records about the embeddings it holds: vectors of another spec are refused. */
export interface EmbeddingSpec {
  /** `glove` (offline) or `openai`. */
  provider: string;
  model: string;
  dimension: number;
}

/** One way of turning texts into vectors; every vector it returns has `spec().dimension` values. */
export interface EmbeddingProvider {
  readonly provider: string;
  readonly model: string;
  /** The spec, once known (the OpenAI dimension may need one call to learn). */
  spec(signal?: AbortSignal): Promise<EmbeddingSpec>;
  /** One vector per text, in order. */
  embed(texts: string[], signal?: AbortSignal): Promise<number[][]>;
}

/** The provider could not answer (network, server down, rate limited): worth retrying later. */
export class EmbeddingUnavailableError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs = 2000,
  ) {
    super(message);
    this.name = 'EmbeddingUnavailableError';
  }
}

/** Scales `vector` to unit length in place; a zero vector stays zero. */
export function normalize(vector: Float64Array | number[]): void {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i] * vector[i];
  const norm = Math.sqrt(sum);
  if (norm === 0) return;
  for (let i = 0; i < vector.length; i++) vector[i] /= norm;
}
