import { Injectable } from '@nestjs/common';
import {
  FirestoreDocuments,
  FirestoreInputError,
  FirestoreNotFoundError,
  FirestoreUnavailableError,
  MAX_QUERY_LIMIT,
} from '@suite/firestore-documents';
import { RpcError, RpcMethod, RpcNamespace } from '@suite/rpc-contract';
import { ArrayMaxSize, IsArray, IsBoolean, IsDefined, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

const PATH = [1, 1500] as const;

export class DocumentPathParams {
  @IsString() @Length(...PATH) path!: string;
}

export class SetDocumentParams {
  @IsString() @Length(...PATH) path!: string;
  /** Checked by FirestoreDocuments (a JSON object within Firestore's limits), which names the fault. */
  @IsDefined() data!: unknown;
  @IsOptional() @IsBoolean() merge?: boolean;
}

export class UpdateDocumentParams {
  @IsString() @Length(...PATH) path!: string;
  @IsDefined() data!: unknown;
}

export class QueryCollectionParams {
  @IsString() @Length(...PATH) path!: string;
  /** [[field, op, value], …]; each clause is checked by FirestoreDocuments. */
  @IsOptional() @IsArray() @ArrayMaxSize(30) where?: unknown[];
  /** [[field, "asc"|"desc"], …]. */
  @IsOptional() @IsArray() @ArrayMaxSize(10) order_by?: unknown[];
  @IsOptional() @IsInt() @Min(1) @Max(MAX_QUERY_LIMIT) limit?: number;
}

export class AddOrUpdateJobParams {
  @IsString() @Length(...PATH) collection_path!: string;
  @IsDefined() job_data!: unknown;
}

/** What a document write returns. */
const WRITE_RETURNS = '{"success": true, "path": str}';

/** `FIREBASE_MANAGEMENT.*` (seed 002's FirebaseManagement): Firestore documents as JSON. */
@RpcNamespace('FIREBASE_MANAGEMENT', { description: 'Firestore documents' })
@Injectable()
export class FirebaseManagementRpcHandler {
  constructor(private readonly documents: FirestoreDocuments) {}

  @RpcMethod('get_document', { params: ['path'], dto: DocumentPathParams, description: 'the data as JSON, null when missing', returns: 'dict | None' })
  getDocument(params: DocumentPathParams) {
    return translate(() => this.documents.getDocument(params.path));
  }

  @RpcMethod('set_document', { params: ['path', 'data', 'merge'], dto: SetDocumentParams, paramTypes: { data: 'dict' }, returns: WRITE_RETURNS })
  setDocument(params: SetDocumentParams) {
    return translate(() => this.documents.setDocument(params.path, params.data, params.merge ?? false));
  }

  @RpcMethod('update_document', { params: ['path', 'data'], dto: UpdateDocumentParams, paramTypes: { data: 'dict' }, description: 'NOT_FOUND when the document is missing', returns: WRITE_RETURNS })
  updateDocument(params: UpdateDocumentParams) {
    return translate(() => this.documents.updateDocument(params.path, params.data));
  }

  @RpcMethod('delete_document', { params: ['path'], dto: DocumentPathParams, returns: WRITE_RETURNS })
  deleteDocument(params: DocumentPathParams) {
    return translate(() => this.documents.deleteDocument(params.path));
  }

  @RpcMethod('query_collection', { params: ['path', 'where', 'order_by', 'limit'], dto: QueryCollectionParams, returns: '[dict] (each document data with its "id": str)' })
  queryCollection(params: QueryCollectionParams) {
    return translate(() => this.documents.queryCollection(params.path, { where: params.where, order_by: params.order_by, limit: params.limit }));
  }

  @RpcMethod('add_or_update_job_by_job_id', { params: ['collection_path', 'job_data'], dto: AddOrUpdateJobParams, paramTypes: { job_data: 'dict' }, returns: '{"success": true, "path": str, "job_id": str}' })
  addOrUpdateJobByJobId(params: AddOrUpdateJobParams) {
    return translate(() => this.documents.addOrUpdateJobByJobId(params.collection_path, params.job_data));
  }
}

async function translate<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof FirestoreInputError) throw RpcError.invalidArgs(error.message);
    if (error instanceof FirestoreNotFoundError) throw new RpcError('NOT_FOUND', error.message);
    if (error instanceof FirestoreUnavailableError) throw new RpcError('UNAVAILABLE', error.message, error.retryAfterMs);
    throw error;
  }
}
