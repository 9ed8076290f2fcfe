export { normalize, EmbeddingUnavailableError } from './lib/embedding-provider';
export type { EmbeddingProvider, EmbeddingSpec } from './lib/embedding-provider';
export { GloveEmbeddingProvider, GLOVE_PROVIDER, GLOVE_MODEL } from './lib/glove-provider';
export type { GloveTableInfo } from './lib/glove-provider';
export { OpenAiEmbeddingProvider, OPENAI_PROVIDER } from './lib/openai-provider';
export type { OpenAiEmbeddingSettings } from './lib/openai-provider';
export { loadGloveTable } from './lib/glove-table';
export type { GloveTable } from './lib/glove-table';
export { embeddingProviderFromConfig } from './lib/embeddings';
