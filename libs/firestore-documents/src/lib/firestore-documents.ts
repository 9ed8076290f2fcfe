import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { Firestore, FIRESTORE } from '@suite/firebase';
import { asError } from '@suite/logging';
import { FirestoreInputError, FirestoreNotFoundError, FirestoreUnavailableError } from './firestore-errors';
import { checkDocumentData, documentToJson, isPlainObject, JsonObject } from './firestore-json';
import { checkDocumentId, checkPath } from './firestore-paths';
import { buildQuery } from './firestore-query';

/** gRPC status codes Firestore answers with. */
const GRPC = { INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9, ABORTED: 10, UNAVAILABLE: 14 } as const;
const RETRY_LATER = new Set<number>([GRPC.DEADLINE_EXCEEDED, GRPC.RESOURCE_EXHAUSTED, GRPC.ABORTED, GRPC.UNAVAILABLE]);

export interface WriteResult {
  success: true;
  path: string;
}

export interface QueryOptions {
  where?: unknown[];
  order_by?: unknown[];
  limit?: number;
}

/**
 * Firestore document operations for `FIREBASE_MANAGEMENT.*`: paths checked before any call, JSON
 * in (integers stay integers) and JSON out (see `toJson`), failures as typed errors: bad input
 * (FirestoreInputError), a missing document for an update (FirestoreNotFoundError), Firestore
 * unreachable or slower than FIREBASE_OPERATION_TIMEOUT_MS (FirestoreUnavailableError).
 */
@Injectable()
export class FirestoreDocuments {
  constructor(
    @Inject(FIRESTORE) private readonly firestore: Firestore,
    private readonly config: AppConfig,
  ) {}

  async getDocument(path: string): Promise<JsonObject | null> {
    const documentPath = checkPath('path', path, 'document');
    const snapshot = await this.call(() => this.firestore.doc(documentPath).get());
    return snapshot.exists ? documentToJson(snapshot.data()) : null;
  }

  async setDocument(path: string, data: unknown, merge = false): Promise<WriteResult> {
    const documentPath = checkPath('path', path, 'document');
    checkDocumentData('data', data, documentPath);
    await this.call(() => this.firestore.doc(documentPath).set(data as JsonObject, { merge }));
    return { success: true, path: documentPath };
  }

  /** Updates fields of an existing document (keys may be dotted field paths, as with the Python client). */
  async updateDocument(path: string, data: unknown): Promise<WriteResult> {
    const documentPath = checkPath('path', path, 'document');
    checkDocumentData('data', data, documentPath, true);
    if (Object.keys(data as JsonObject).length === 0) throw new FirestoreInputError('data must have at least one field to update');
    await this.call(() => this.firestore.doc(documentPath).update(data as JsonObject), `document ${documentPath}`);
    return { success: true, path: documentPath };
  }

  async deleteDocument(path: string): Promise<WriteResult> {
    const documentPath = checkPath('path', path, 'document');
    await this.call(() => this.firestore.doc(documentPath).delete());
    return { success: true, path: documentPath };
  }

  /** Documents of a collection, each as its data with `id` (the document id, which wins over a field named id). */
  async queryCollection(path: string, options: QueryOptions = {}): Promise<JsonObject[]> {
    const collectionPath = checkPath('path', path, 'collection');
    const query = buildQuery(this.firestore.collection(collectionPath), options.where, options.order_by, options.limit);
    const snapshot = await this.call(() => query.get());
    return snapshot.docs.map((document) => ({ ...documentToJson(document.data()), id: document.id }));
  }

  /** Seed 002's call: the document `job_data.job_id` of the collection, created or merged. */
  async addOrUpdateJobByJobId(collectionPath: string, jobData: unknown): Promise<WriteResult & { job_id: string }> {
    const collection = checkPath('collection_path', collectionPath, 'collection');
    if (!isPlainObject(jobData)) throw new FirestoreInputError('job_data must be a JSON object');
    const jobId = jobData['job_id'];
    if (typeof jobId !== 'string' || jobId.length === 0) throw new FirestoreInputError('job_data.job_id must be a non-empty string');
    checkDocumentId('job_data.job_id', jobId);
    const documentPath = `${collection}/${jobId}`;
    checkDocumentData('job_data', jobData, documentPath);
    await this.call(() => this.firestore.doc(documentPath).set(jobData, { merge: true }));
    return { success: true, path: documentPath, job_id: jobId };
  }

  /** Runs a Firestore call under the operation timeout and translates its failure. */
  private async call<T>(operation: () => Promise<T>, notFound?: string): Promise<T> {
    const timeoutMs = this.config.FIREBASE_OPERATION_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new FirestoreUnavailableError(`Firestore did not answer within ${timeoutMs} ms`, this.config.FIREBASE_RETRY_AFTER_MS)), timeoutMs);
    });
    try {
      return await Promise.race([operation(), timedOut]);
    } catch (error) {
      throw this.translate(error, notFound);
    } finally {
      clearTimeout(timer);
    }
  }

  private translate(error: unknown, notFound?: string): Error {
    if (error instanceof FirestoreUnavailableError || error instanceof FirestoreInputError) return error;
    // Anything can be thrown, undefined and null included: only an object carries a gRPC code.
    const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
    if (code === GRPC.NOT_FOUND && notFound) return new FirestoreNotFoundError(`${notFound} was not found`);
    if (typeof code === 'number' && RETRY_LATER.has(code)) return new FirestoreUnavailableError('Firestore is unavailable', this.config.FIREBASE_RETRY_AFTER_MS);
    if (code === GRPC.INVALID_ARGUMENT || code === GRPC.FAILED_PRECONDITION) {
      // Firestore's own wording of a bad query or value (e.g. a query that needs an index).
      return new FirestoreInputError(`Firestore refused the call: ${firstLine(asError(error).message)}`);
    }
    // The SDK's own argument checks (e.g. an invalid field path) throw plain Errors synchronously.
    if (error instanceof Error && code === undefined && /^(Value for argument|Argument|Invalid|Cannot|Path|Function|Order)/i.test(error.message)) {
      return new FirestoreInputError(firstLine(error.message));
    }
    return asError(error);
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0].slice(0, 300);
}
