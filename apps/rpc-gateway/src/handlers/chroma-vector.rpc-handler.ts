import { Injectable, Logger } from '@nestjs/common';
import { ChromaCollectionRegistry } from '@suite/registry';
import { RpcCallContext, RpcError, RpcMethod, RpcNamespace } from '@suite/rpc-contract';
import { MAX_N_RESULTS, VectorError, VectorMetrics, VectorStore } from '@suite/vector';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsObject, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { ID_LENGTH } from './param-limits';

/** Chroma allows 512; the exact rules are checked by the store, naming collection_name. */
const COLLECTION = [1, 512] as const;
/** Records per call; larger adds belong on TASK.start_vector_computation. */
const MAX_DOCUMENTS = 50_000;

export class CollectionUserParams {
  @IsString() @Length(...ID_LENGTH) user_id!: string;
  @IsString() @Length(...COLLECTION) collection_name!: string;
  @IsString() @Length(...ID_LENGTH) session_id!: string;
  @IsOptional() @IsString() @Length(...ID_LENGTH) company_id?: string;
}

export class CollectionHeartbeatParams {
  @IsString() @Length(...ID_LENGTH) user_id!: string;
  @IsString() @Length(...COLLECTION) collection_name!: string;
}

export class CollectionParams {
  @IsString() @Length(...COLLECTION) collection_name!: string;
}

export class CreateInstanceParams {
  @IsString() @Length(...COLLECTION) collection_name!: string;
  @IsOptional() @IsString() @Length(...ID_LENGTH) company_id?: string;
}

export class AddDocumentsParams {
  @IsString() @Length(...COLLECTION) collection_name!: string;
  @IsArray() @ArrayMaxSize(MAX_DOCUMENTS) documents!: unknown[];
  @IsOptional() @IsArray() @ArrayMaxSize(MAX_DOCUMENTS) metadatas?: unknown[];
  @IsOptional() @IsArray() @ArrayMaxSize(MAX_DOCUMENTS) ids?: unknown[];
  @IsOptional() @IsString() @Length(...ID_LENGTH) company_id?: string;
}

export class QueryDocumentsParams {
  @IsString() @Length(...COLLECTION) collection_name!: string;
  @IsArray() @ArrayMaxSize(1000) @IsString({ each: true }) query_texts!: string[];
  @IsOptional() @IsInt() @Min(1) @Max(MAX_N_RESULTS) n_results?: number;
  @IsOptional() @IsObject() where?: Record<string, unknown>;
  @IsOptional() @IsObject() where_document?: Record<string, unknown>;
  @IsOptional() @IsArray() @IsIn(['documents', 'metadatas', 'distances', 'embeddings'], { each: true }) include?: string[];
}

export class DeleteDocumentsParams {
  @IsString() @Length(...COLLECTION) collection_name!: string;
  @IsOptional() @IsArray() @ArrayMaxSize(MAX_DOCUMENTS) ids?: unknown[];
  @IsOptional() @IsObject() where?: Record<string, unknown>;
}

/** What create_chroma_instance and create_analyzer_instance return. */
const COLLECTION_SUMMARY_RETURNS = '{"success": true, "collection_name": str, "collection_id": str, "embedding_provider": str, "embedding_model": str, "embedding_dimension": int, "company_id": str, "document_count": int, "created": bool}';

/**
 * `CHROMA_VECTOR.*` (seed 002's ChromaVectorService): the collection registry, and documents
 * stored, searched and measured on the Chroma server with embeddings made here.
 */
@RpcNamespace('CHROMA_VECTOR', { description: 'Vector store on Chroma (seed 002)' })
@Injectable()
export class ChromaVectorRpcHandler {
  private readonly logger = new Logger('ChromaVector');

  constructor(
    private readonly store: VectorStore,
    private readonly registry: ChromaCollectionRegistry,
    private readonly metrics: VectorMetrics,
  ) {}

  @RpcMethod('register_collection_user', { params: ['user_id', 'collection_name', 'session_id', 'company_id'], dto: CollectionUserParams, returns: '{"success": true, "user_id": str, "collection_name": str, "session_id": str, "registered_at": str, "last_heartbeat": str}' })
  async registerCollectionUser(params: CollectionUserParams) {
    const record = await this.registry.register(params.user_id, params.collection_name, params.session_id, params.company_id);
    this.metrics.registrations.inc({ operation: 'register', outcome: 'ok' });
    this.logger.log({ event: 'chroma_register', user_id: params.user_id, collection: params.collection_name, session_id: params.session_id });
    return { success: true, ...record };
  }

  @RpcMethod('heartbeat_collection', { params: ['user_id', 'collection_name'], dto: CollectionHeartbeatParams, returns: '{"success": bool, "user_id": str, "collection_name": str}' })
  async heartbeatCollection(params: CollectionHeartbeatParams) {
    const refreshed = await this.registry.heartbeat(params.user_id, params.collection_name);
    this.metrics.registrations.inc({ operation: 'heartbeat', outcome: refreshed ? 'ok' : 'not_registered' });
    this.logger.debug?.({ event: 'chroma_heartbeat', user_id: params.user_id, collection: params.collection_name, success: refreshed });
    return { success: refreshed, user_id: params.user_id, collection_name: params.collection_name };
  }

  @RpcMethod('unregister_collection_user', { params: ['user_id', 'collection_name'], dto: CollectionHeartbeatParams, returns: '{"success": true, "removed": bool, "user_id": str, "collection_name": str}' })
  async unregisterCollectionUser(params: CollectionHeartbeatParams) {
    const removed = await this.registry.unregister(params.user_id, params.collection_name);
    this.metrics.registrations.inc({ operation: 'unregister', outcome: removed ? 'ok' : 'not_registered' });
    this.logger.log({ event: 'chroma_register', action: 'unregister', user_id: params.user_id, collection: params.collection_name, removed });
    return { success: true, removed, user_id: params.user_id, collection_name: params.collection_name };
  }

  @RpcMethod('create_chroma_instance', { params: ['collection_name', 'company_id'], dto: CreateInstanceParams, returns: COLLECTION_SUMMARY_RETURNS })
  createChromaInstance(params: CreateInstanceParams, context: RpcCallContext) {
    return translate(this.store.openOrCreate(params.collection_name, params.company_id, context.signal));
  }

  @RpcMethod('create_analyzer_instance', { params: ['collection_name', 'company_id'], dto: CreateInstanceParams, returns: COLLECTION_SUMMARY_RETURNS })
  createAnalyzerInstance(params: CreateInstanceParams, context: RpcCallContext) {
    return translate(this.store.openOrCreate(params.collection_name, params.company_id, context.signal));
  }

  @RpcMethod('add_documents', { params: ['collection_name', 'documents', 'metadatas', 'ids', 'company_id'], dto: AddDocumentsParams, returns: '{"success": true, "added": int, "ids": [str], "existing": [str], "batches": [{"batch": int, "size": int, "added": int, "embed_ms": int, "store_ms": int}], "embedding_ms": int}' })
  addDocuments(params: AddDocumentsParams, context: RpcCallContext) {
    return translate(
      this.store.add({ collectionName: params.collection_name, documents: params.documents, metadatas: params.metadatas, ids: params.ids, companyId: params.company_id, signal: context.signal }),
    );
  }

  @RpcMethod('query_documents', { params: ['collection_name', 'query_texts', 'n_results', 'where', 'where_document', 'include'], dto: QueryDocumentsParams, returns: '{"ids": [[str]], "documents": [[str | None]] | None, "metadatas": [[dict | None]] | None, "distances": [[float | None]] | None, "embeddings": [[[float]]] | None, "uris": None, "data": None, "included": [str]}' })
  queryDocuments(params: QueryDocumentsParams, context: RpcCallContext) {
    return translate(
      this.store.query({
        collectionName: params.collection_name,
        queryTexts: params.query_texts,
        nResults: params.n_results,
        where: params.where,
        whereDocument: params.where_document,
        include: params.include,
        signal: context.signal,
      }),
    );
  }

  @RpcMethod('delete_documents', { params: ['collection_name', 'ids', 'where'], dto: DeleteDocumentsParams, returns: '{"success": true, "deleted": int, "ids": [str], "freed_bytes": int}' })
  deleteDocuments(params: DeleteDocumentsParams, context: RpcCallContext) {
    return translate(this.store.delete({ collectionName: params.collection_name, ids: params.ids, where: params.where, signal: context.signal }));
  }

  @RpcMethod('get_collection_info', { params: ['collection_name'], dto: CollectionParams, returns: '{"success": true, "name": str, "collection_name": str, "id": str, "count": int, "metadata": dict | None, "embedding_provider": str, "embedding_model": str, "embedding_dimension": int, "company_id": str}' })
  getCollectionInfo(params: CollectionParams, context: RpcCallContext) {
    return translate(this.store.info(params.collection_name, context.signal));
  }

  @RpcMethod('analyze_collection', { params: ['collection_name'], dto: CollectionParams, returns: '{"success": true, "collection_name": str, "analysis": {"total_size": int, "embeddings_size": int, "documents_size": int, "metadata_size": int, "document_count": int}}' })
  analyzeCollection(params: CollectionParams, context: RpcCallContext) {
    return translate(this.store.analyze(params.collection_name, context.signal));
  }
}

async function translate<T>(operation: Promise<T>): Promise<T> {
  try {
    return await operation;
  } catch (error) {
    if (error instanceof VectorError) throw new RpcError(error.code, error.message, error.retryAfterMs);
    throw error;
  }
}
