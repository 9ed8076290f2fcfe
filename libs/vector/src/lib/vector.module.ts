import { Module } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { embeddingProviderFromConfig } from '@suite/embeddings';
import { RegistryModule } from '@suite/registry';
import { ChromaConnection } from './chroma-connection';
import { StorageLedger } from './storage-ledger';
import { VectorMetrics } from './vector-metrics';
import { EMBEDDING_PROVIDER, VectorStore } from './vector-store';

/** The vector store (needs ConfigModule and RedisModule; MetricsModule optional). */
@Module({
  imports: [RegistryModule],
  providers: [
    ChromaConnection,
    StorageLedger,
    VectorMetrics,
    VectorStore,
    { provide: EMBEDDING_PROVIDER, inject: [AppConfig], useFactory: embeddingProviderFromConfig },
  ],
  exports: [VectorStore, ChromaConnection, VectorMetrics, EMBEDDING_PROVIDER],
})
export class VectorModule {}
