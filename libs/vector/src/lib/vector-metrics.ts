import { Injectable, Optional } from '@nestjs/common';
import { MetricsService } from '@suite/metrics';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The vector store's metrics (seed 002's "Monitoring ChromaDB"), on the app's registry when it has one. */
@Injectable()
export class VectorMetrics {
  readonly operationDuration: Histogram<'operation' | 'outcome'>;
  readonly embeddingDuration: Histogram<'provider'>;
  readonly collectionsActive: Gauge;
  readonly storageBytes: Gauge<'collection'>;
  readonly storageCharged: Counter<'direction'>;
  readonly registrations: Counter<'operation' | 'outcome'>;

  constructor(@Optional() metrics?: MetricsService) {
    const registers: Registry[] = metrics ? [metrics.registry] : [];
    this.operationDuration = new Histogram({
      name: 'chroma_operation_duration_seconds',
      help: 'CHROMA_VECTOR operations by operation and outcome (ok or error code), embedding included',
      labelNames: ['operation', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120],
      registers,
    });
    this.embeddingDuration = new Histogram({
      name: 'embedding_duration_seconds',
      help: 'Time to embed one call’s texts, by provider',
      labelNames: ['provider'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30],
      registers,
    });
    this.collectionsActive = new Gauge({ name: 'chroma_collections_active', help: 'Chroma collections this instance holds a handle for', registers });
    this.storageBytes = new Gauge({ name: 'chroma_collection_storage_bytes', help: 'Bytes of a collection at its last analyze_collection', labelNames: ['collection'], registers });
    this.storageCharged = new Counter({ name: 'chroma_storage_bytes_total', help: 'Vector storage bytes charged to (added) or refunded from (deleted) company quotas', labelNames: ['direction'], registers });
    this.registrations = new Counter({ name: 'chroma_collection_registrations_total', help: 'register/heartbeat/unregister_collection_user calls by outcome', labelNames: ['operation', 'outcome'], registers });
  }
}
