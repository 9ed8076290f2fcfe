import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { EmbeddingProvider, EmbeddingSpec, EmbeddingUnavailableError } from '@suite/embeddings';
import { Collection, Metadata } from 'chromadb';
import { ChromaConnection } from './chroma-connection';
import {
  checkCollectionName,
  checkDocuments,
  checkIds,
  checkMetadatas,
  checkWhere,
  checkWhereDocument,
  Includable,
  INCLUDABLE,
  RecordMetadata,
} from './record-validation';
import { StorageLedger } from './storage-ledger';
import { documentBytes, metadataBytes, recordsSize, totalBytes } from './storage-size';
import { VectorError } from './vector-errors';
import { VectorMetrics } from './vector-metrics';

export const EMBEDDING_PROVIDER = Symbol('EMBEDDING_PROVIDER');

/** Collection metadata keys this service writes (Chroma metadata is flat). */
const META = { provider: 'embedding_provider', model: 'embedding_model', dimension: 'embedding_dimension', company: 'company_id' } as const;
export const MAX_N_RESULTS = 1000;
/** Records read per page when a whole collection is scanned (analyze_collection, delete by where). */
const SCAN_PAGE = 1000;

export interface CollectionHandle {
  collection: Collection;
  name: string;
  spec: EmbeddingSpec;
  companyId: string;
}

export interface CollectionSummary {
  success: true;
  collection_name: string;
  collection_id: string;
  embedding_provider: string;
  embedding_model: string;
  embedding_dimension: number;
  company_id: string;
  document_count: number;
  created: boolean;
}

export interface AddRequest {
  collectionName: string;
  documents: unknown[];
  metadatas?: unknown[];
  ids?: unknown[];
  companyId?: string;
  signal?: AbortSignal;
  /** Called after each batch is stored (the task path reports progress with it). */
  onBatch?: (report: BatchReport, total: number) => Promise<void> | void;
}

export interface BatchReport {
  batch: number;
  size: number;
  added: number;
  embed_ms: number;
  store_ms: number;
}

export interface AddResult {
  success: true;
  added: number;
  ids: string[];
  /** Ids that were already in the collection: left as they were, not charged again. */
  existing: string[];
  batches: BatchReport[];
  embedding_ms: number;
}

export interface QueryRequest {
  collectionName: string;
  queryTexts: string[];
  nResults?: number;
  where?: unknown;
  whereDocument?: unknown;
  include?: string[];
  signal?: AbortSignal;
}

/** Chroma's query answer as the Python client returns it: one list per query text; fields not included are null. */
export interface QueryAnswer {
  ids: string[][];
  documents: Array<Array<string | null>> | null;
  metadatas: Array<Array<Metadata | null>> | null;
  distances: Array<Array<number | null>> | null;
  embeddings: number[][][] | null;
  uris: null;
  data: null;
  included: Includable[];
}

export interface DeleteRequest {
  collectionName: string;
  ids?: unknown[];
  where?: unknown;
  signal?: AbortSignal;
}

export interface CollectionAnalysis {
  success: true;
  collection_name: string;
  analysis: { total_size: number; embeddings_size: number; documents_size: number; metadata_size: number; document_count: number };
}

/**
 * CHROMA_VECTOR's operations on a real Chroma server: embeddings made here (one provider per
 * instance, recorded on each collection it creates), writes split under the server's batch size,
 * vector storage charged to the company's storage_limit_mb. One collection handle per collection
 * is kept per instance; a handle whose collection vanished is dropped and looked up again.
 */
@Injectable()
export class VectorStore {
  private readonly logger = new Logger('ChromaVector');
  private readonly handles = new Map<string, Promise<CollectionHandle>>();

  constructor(
    private readonly chroma: ChromaConnection,
    private readonly ledger: StorageLedger,
    private readonly metrics: VectorMetrics,
    @Inject(EMBEDDING_PROVIDER) private readonly embeddings: EmbeddingProvider,
  ) {}

  /** create_chroma_instance / create_analyzer_instance: the collection (created when missing) and what the caller needs to use it. */
  openOrCreate(collectionName: string, companyId: string | undefined, signal?: AbortSignal): Promise<CollectionSummary> {
    return this.measured('create_collection', collectionName, async () => {
      checkCollectionName(collectionName);
      const { handle, created } = await this.open(collectionName, { create: true, companyId, signal });
      const count = await this.chroma.call('count', () => handle.collection.count(), signal);
      return summary(handle, count, created);
    });
  }

  info(collectionName: string, signal?: AbortSignal) {
    return this.measured('get_collection_info', collectionName, async () => {
      checkCollectionName(collectionName);
      const { handle } = await this.open(collectionName, { create: false, signal });
      const count = await this.chroma.call('count', () => handle.collection.count(), signal);
      return {
        success: true as const,
        name: handle.name,
        collection_name: handle.name,
        id: handle.collection.id,
        count,
        metadata: handle.collection.metadata ?? null,
        embedding_provider: handle.spec.provider,
        embedding_model: handle.spec.model,
        embedding_dimension: handle.spec.dimension,
        company_id: handle.companyId,
      };
    });
  }

  add(request: AddRequest): Promise<AddResult> {
    return this.measured('add_documents', request.collectionName, async () => {
      const { documents, ids, metadatas } = validateAdd(request);
      const { handle } = await this.open(request.collectionName, { create: true, companyId: request.companyId, signal: request.signal });
      return this.addToCollection(handle, documents, ids, metadatas, request);
    });
  }

  private async addToCollection(handle: CollectionHandle, documents: string[], ids: string[], metadatas: Array<RecordMetadata | null>, request: AddRequest): Promise<AddResult> {
    const { signal } = request;
    const batchSize = await this.chroma.maxBatchSize(signal);
    const existing = request.ids ? await this.existingIds(handle, ids, batchSize, signal) : new Set<string>();
    const fresh = ids.map((_, index) => index).filter((index) => !existing.has(ids[index]));

    const records = fresh.map((index) => ({ id: ids[index], bytes: documentBytes(documents[index]) + metadataBytes(metadatas[index]) + handle.spec.dimension * 4 }));
    const charge = await this.ledger.charge(handle.companyId, handle.name, records);
    if (!charge.admitted) {
      throw new VectorError(
        'QUOTA_EXCEEDED',
        `storage_limit_mb of company ${handle.companyId}: the limit is ${charge.limitBytes} bytes (${charge.limitBytes / 1048576} MB), ${charge.usedBytes} bytes are used, and these documents need ${charge.neededBytes} more`,
      );
    }
    this.metrics.storageCharged.inc({ direction: 'charged' }, charge.charged);

    const batches: BatchReport[] = [];
    let embeddingMs = 0;
    let stored = 0;
    try {
      for (let start = 0; start < fresh.length; start += batchSize) {
        const slice = fresh.slice(start, start + batchSize);
        const embedStarted = performance.now();
        const vectors = await this.embed(slice.map((index) => documents[index]), handle.spec, signal);
        const embedMs = performance.now() - embedStarted;
        embeddingMs += embedMs;
        const sliceMetadatas = slice.map((index) => metadatas[index]);
        const storeStarted = performance.now();
        await this.chroma.call(
          'add',
          () =>
            handle.collection.add({
              ids: slice.map((index) => ids[index]),
              embeddings: vectors,
              documents: slice.map((index) => documents[index]),
              metadatas: sliceMetadatas.some((metadata) => metadata !== null) ? (sliceMetadatas as Metadata[]) : undefined,
            }),
          signal,
        );
        stored += slice.length;
        const report = { batch: batches.length + 1, size: slice.length, added: slice.length, embed_ms: Math.round(embedMs), store_ms: Math.round(performance.now() - storeStarted) };
        batches.push(report);
        await request.onBatch?.(report, Math.ceil(fresh.length / batchSize));
      }
    } catch (error) {
      // What was not stored is not charged: refund the ids of this batch and the ones after it.
      const unstored = fresh.slice(stored).map((index) => ids[index]);
      const refunded = await this.ledger.refund(handle.companyId, handle.name, unstored).catch(() => 0);
      this.metrics.storageCharged.inc({ direction: 'refunded' }, refunded);
      if (error instanceof VectorError && stored > 0) {
        throw new VectorError(error.code, `${error.message} (batch ${batches.length + 1} failed; ${stored} of ${fresh.length} documents were stored in ${batches.length} batches before it)`, error.retryAfterMs);
      }
      throw error;
    }
    return { success: true, added: stored, ids, existing: ids.filter((id) => existing.has(id)), batches, embedding_ms: Math.round(embeddingMs) };
  }

  query(request: QueryRequest): Promise<QueryAnswer> {
    return this.measured('query_documents', request.collectionName, async () => {
      checkCollectionName(request.collectionName);
      checkDocuments(request.queryTexts, 'query_texts');
      const nResults = request.nResults ?? 10;
      if (!Number.isInteger(nResults) || nResults < 1 || nResults > MAX_N_RESULTS) throw VectorError.invalid('n_results', `must be a whole number from 1 to ${MAX_N_RESULTS}`);
      if (request.where !== undefined && request.where !== null) checkWhere(request.where);
      if (request.whereDocument !== undefined && request.whereDocument !== null) checkWhereDocument(request.whereDocument);
      const include = checkInclude(request.include);
      const { handle } = await this.open(request.collectionName, { create: false, signal: request.signal });
      const queryEmbeddings = await this.embed(request.queryTexts, handle.spec, request.signal);
      const result = await this.chroma.call(
        'query',
        () =>
          handle.collection.query({
            queryEmbeddings,
            nResults,
            where: (request.where ?? undefined) as never,
            whereDocument: (request.whereDocument ?? undefined) as never,
            include: include as never,
          }),
        request.signal,
      );
      return {
        ids: result.ids,
        documents: include.includes('documents') ? result.documents : null,
        metadatas: include.includes('metadatas') ? result.metadatas : null,
        distances: include.includes('distances') ? result.distances : null,
        embeddings: include.includes('embeddings') ? (result.embeddings as number[][][]) : null,
        uris: null,
        data: null,
        included: include,
      };
    });
  }

  /** Deletes by ids and/or where; counts what was really deleted (this Chroma answers 0) and refunds its storage. */
  delete(request: DeleteRequest) {
    return this.measured('delete_documents', request.collectionName, async () => {
      checkCollectionName(request.collectionName);
      const hasIds = request.ids !== undefined && request.ids !== null;
      const hasWhere = request.where !== undefined && request.where !== null;
      if (!hasIds && !hasWhere) throw VectorError.invalid('ids', 'give ids, where, or both (deleting a whole collection is not offered)');
      if (hasIds) {
        if ((request.ids as unknown[]).length === 0) throw VectorError.invalid('ids', 'must hold at least one id');
        checkIds(request.ids as unknown[], (request.ids as unknown[]).length);
      }
      if (hasWhere) checkWhere(request.where);
      const { handle } = await this.open(request.collectionName, { create: false, signal: request.signal });
      const matched = await this.matchingIds(handle, hasIds ? (request.ids as string[]) : undefined, hasWhere ? request.where : undefined, request.signal);
      const batchSize = await this.chroma.maxBatchSize(request.signal);
      for (let start = 0; start < matched.length; start += batchSize) {
        const slice = matched.slice(start, start + batchSize);
        await this.chroma.call('delete', () => handle.collection.delete({ ids: slice }), request.signal);
      }
      const refunded = await this.ledger.refund(handle.companyId, handle.name, matched);
      this.metrics.storageCharged.inc({ direction: 'refunded' }, refunded);
      return { success: true as const, deleted: matched.length, ids: matched, freed_bytes: refunded };
    });
  }

  /** analyze_collection: real byte figures, the shape the Reflex UI reads (SPEC §4). */
  analyze(collectionName: string, signal?: AbortSignal): Promise<CollectionAnalysis> {
    return this.measured('analyze_collection', collectionName, async () => {
      checkCollectionName(collectionName);
      const { handle } = await this.open(collectionName, { create: false, signal });
      let documentsSize = 0;
      let metadataSize = 0;
      let count = 0;
      for (let offset = 0; ; offset += SCAN_PAGE) {
        const page = await this.chroma.call('get', () => handle.collection.get({ limit: SCAN_PAGE, offset, include: ['documents', 'metadatas'] as never }), signal);
        const figures = recordsSize(handle.spec.dimension, page.documents, page.metadatas);
        documentsSize += figures.documents_size;
        metadataSize += figures.metadata_size;
        count += page.ids.length;
        if (page.ids.length < SCAN_PAGE) break;
      }
      const embeddingsSize = count * handle.spec.dimension * 4;
      const total = totalBytes({ embeddings_size: embeddingsSize, documents_size: documentsSize, metadata_size: metadataSize });
      this.metrics.storageBytes.set({ collection: collectionName }, total);
      return {
        success: true as const,
        collection_name: collectionName,
        analysis: { total_size: total, embeddings_size: embeddingsSize, documents_size: documentsSize, metadata_size: metadataSize, document_count: count },
      };
    });
  }

  /** The instance's embedding spec (for /debug and the collection metadata it writes). */
  spec(signal?: AbortSignal): Promise<EmbeddingSpec> {
    return this.embeddings.spec(signal);
  }

  get cachedCollections(): number {
    return this.handles.size;
  }

  private async embed(texts: string[], spec: EmbeddingSpec, signal?: AbortSignal): Promise<number[][]> {
    const started = performance.now();
    try {
      const vectors = await this.embeddings.embed(texts, signal);
      const wrong = vectors.find((vector) => vector.length !== spec.dimension);
      if (wrong) throw new VectorError('UNAVAILABLE', `the embedding provider answered vectors of ${wrong.length} dimensions, the collection holds ${spec.dimension}`);
      return vectors;
    } catch (error) {
      if (error instanceof EmbeddingUnavailableError) throw new VectorError('UNAVAILABLE', `embeddings unavailable: ${error.message}`, error.retryAfterMs);
      throw error;
    } finally {
      this.metrics.embeddingDuration.observe({ provider: spec.provider }, (performance.now() - started) / 1000);
    }
  }

  private async existingIds(handle: CollectionHandle, ids: string[], batchSize: number, signal?: AbortSignal): Promise<Set<string>> {
    const existing = new Set<string>();
    for (let start = 0; start < ids.length; start += batchSize) {
      const slice = ids.slice(start, start + batchSize);
      const found = await this.chroma.call('get', () => handle.collection.get({ ids: slice, include: [] as never }), signal);
      for (const id of found.ids) existing.add(id);
    }
    return existing;
  }

  private async matchingIds(handle: CollectionHandle, ids: string[] | undefined, where: unknown, signal?: AbortSignal): Promise<string[]> {
    const matched: string[] = [];
    for (let offset = 0; ; offset += SCAN_PAGE) {
      const page = await this.chroma.call('get', () => handle.collection.get({ ids, where: where as never, limit: SCAN_PAGE, offset, include: [] as never }), signal);
      matched.push(...page.ids);
      if (page.ids.length < SCAN_PAGE) return matched;
    }
  }

  /** The cached handle, or the collection looked up (and created when asked), checked against this instance's embeddings. */
  private async open(name: string, options: { create: boolean; companyId?: string; signal?: AbortSignal }): Promise<{ handle: CollectionHandle; created: boolean }> {
    const cached = this.handles.get(name);
    if (cached) {
      const handle = await cached.catch(() => undefined);
      if (handle) {
        checkCompany(handle, options.companyId);
        return { handle, created: false };
      }
    }
    let created = false;
    const opening = (async () => {
      const spec = await this.embeddings.spec(options.signal).catch((error: unknown) => {
        throw error instanceof EmbeddingUnavailableError ? new VectorError('UNAVAILABLE', `embeddings unavailable: ${error.message}`, error.retryAfterMs) : error;
      });
      let collection: Collection;
      try {
        collection = await this.chroma.getCollection(name, options.signal);
      } catch (error) {
        if (!(error instanceof VectorError && error.code === 'NOT_FOUND')) throw error;
        if (!options.create) throw new VectorError('NOT_FOUND', `collection ${name} was not found`);
        collection = await this.chroma.call(
          'create_collection',
          () =>
            this.chroma.client.getOrCreateCollection({
              name,
              embeddingFunction: null,
              configuration: { hnsw: { space: 'cosine' } },
              metadata: { [META.provider]: spec.provider, [META.model]: spec.model, [META.dimension]: spec.dimension, [META.company]: options.companyId ?? name },
            }),
          options.signal,
        );
        created = true;
      }
      return this.checkedHandle(collection, spec, options.companyId, options.signal);
    })();
    this.handles.set(name, opening);
    try {
      const handle = await opening;
      this.metrics.collectionsActive.set(this.handles.size);
      if (created) this.logger.log({ event: 'chroma_operation', operation: 'create_collection', collection: name, provider: handle.spec.provider, dimension: handle.spec.dimension, company_id: handle.companyId });
      return { handle, created };
    } catch (error) {
      if (this.handles.get(name) === opening) this.handles.delete(name);
      throw error;
    }
  }

  private async checkedHandle(collection: Collection, spec: EmbeddingSpec, companyId: string | undefined, signal?: AbortSignal): Promise<CollectionHandle> {
    const metadata = collection.metadata ?? {};
    const recorded = metadata[META.provider];
    const handle: CollectionHandle = { collection, name: collection.name, spec, companyId: typeof metadata[META.company] === 'string' ? (metadata[META.company] as string) : (companyId ?? collection.name) };
    if (recorded !== undefined) {
      const other = { provider: String(recorded), model: String(metadata[META.model] ?? ''), dimension: Number(metadata[META.dimension] ?? 0) };
      if (other.provider !== spec.provider || other.model !== spec.model || other.dimension !== spec.dimension) throw mismatch(collection.name, other, spec);
    } else {
      // Made elsewhere (e.g. by the Python service): usable when empty or when its vectors have our dimension.
      const sample = await this.chroma.call('peek', () => collection.get({ limit: 1, include: ['embeddings'] as never }), signal);
      const dimension = sample.embeddings?.[0]?.length;
      if (dimension !== undefined && dimension !== spec.dimension) throw mismatch(collection.name, { provider: 'unknown', model: 'unknown', dimension }, spec);
    }
    checkCompany(handle, companyId);
    return handle;
  }

  /** Runs one operation with its latency metric and its chroma_operation / chroma_error log line. */
  private async measured<T>(operation: string, collection: string, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await run();
      const seconds = (performance.now() - started) / 1000;
      this.metrics.operationDuration.observe({ operation, outcome: 'ok' }, seconds);
      this.logger.debug?.({ event: 'chroma_operation', operation, collection, duration_ms: Math.round(seconds * 1000) });
      return result;
    } catch (error) {
      const code = error instanceof VectorError ? error.code : 'INTERNAL';
      this.metrics.operationDuration.observe({ operation, outcome: code }, (performance.now() - started) / 1000);
      if (error instanceof VectorError && error.code === 'NOT_FOUND') this.handles.delete(collection);
      if (code === 'UNAVAILABLE' || code === 'INTERNAL') this.handles.delete(collection);
      const log = { event: 'chroma_error', operation, collection, code, message: error instanceof VectorError ? error.message : 'unexpected error' };
      if (code === 'INVALID_ARGS' || code === 'NOT_FOUND' || code === 'QUOTA_EXCEEDED') this.logger.log(log);
      else this.logger.warn(log);
      throw error;
    }
  }
}

/** The checks of add_documents, for callers that queue the work (TASK.start_vector_computation) and must refuse bad input at once. */
export function validateAdd(request: Pick<AddRequest, 'collectionName' | 'documents' | 'metadatas' | 'ids'>): { documents: string[]; ids: string[]; metadatas: Array<RecordMetadata | null> } {
  checkCollectionName(request.collectionName);
  const documents = request.documents;
  checkDocuments(documents);
  const ids = request.ids ?? documents.map(() => randomUUID());
  checkIds(ids, documents.length);
  const metadatas = request.metadatas ? checkMetadatas(request.metadatas, documents.length) : documents.map(() => null);
  return { documents, ids, metadatas };
}

function checkInclude(include: string[] | undefined): Includable[] {
  if (include === undefined || include === null) return ['documents', 'metadatas', 'distances'];
  for (const field of include) {
    if (!(INCLUDABLE as readonly string[]).includes(field)) throw VectorError.invalid('include', `"${field}" is not one of ${INCLUDABLE.join(', ')}`);
  }
  return [...new Set(include)] as Includable[];
}

function checkCompany(handle: CollectionHandle, companyId: string | undefined): void {
  if (companyId !== undefined && companyId !== handle.companyId) {
    throw VectorError.invalid('company_id', `collection ${handle.name} belongs to company ${handle.companyId}, not ${companyId}`);
  }
}

function mismatch(name: string, recorded: EmbeddingSpec, current: EmbeddingSpec): VectorError {
  return VectorError.invalid(
    'collection_name',
    `collection ${name} holds embeddings of ${recorded.provider}/${recorded.model} (${recorded.dimension} dimensions), and this service embeds with ${current.provider}/${current.model} (${current.dimension} dimensions): vectors of another provider or dimension cannot be mixed in one collection`,
  );
}

function summary(handle: CollectionHandle, count: number, created: boolean): CollectionSummary {
  return {
    success: true,
    collection_name: handle.name,
    collection_id: handle.collection.id,
    embedding_provider: handle.spec.provider,
    embedding_model: handle.spec.model,
    embedding_dimension: handle.spec.dimension,
    company_id: handle.companyId,
    document_count: count,
    created,
  };
}
