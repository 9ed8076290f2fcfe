import { AppConfig } from '@suite/config';
import { EmbeddingProvider } from './embedding-provider';
import { GloveEmbeddingProvider } from './glove-provider';
import { OpenAiEmbeddingProvider } from './openai-provider';

/** The provider the configuration names (EMBEDDING_PROVIDER). */
export function embeddingProviderFromConfig(config: AppConfig): EmbeddingProvider {
  if (config.EMBEDDING_PROVIDER === 'openai') {
    return new OpenAiEmbeddingProvider({
      apiKey: config.OPENAI_API_KEY,
      baseUrl: config.OPENAI_BASE_URL,
      model: config.OPENAI_EMBEDDING_MODEL,
      dimensions: config.OPENAI_EMBEDDING_DIMENSIONS || undefined,
      batchSize: config.OPENAI_EMBEDDING_BATCH_SIZE,
      timeoutMs: 60_000,
    });
  }
  return new GloveEmbeddingProvider(config.EMBEDDINGS_CACHE_DIR);
}
