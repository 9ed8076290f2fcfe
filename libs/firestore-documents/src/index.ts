export { FirestoreDocumentsModule } from './lib/firestore-documents.module';
export { FirestoreDocuments } from './lib/firestore-documents';
export type { QueryOptions, WriteResult } from './lib/firestore-documents';
export { FirestoreInputError, FirestoreNotFoundError, FirestoreUnavailableError } from './lib/firestore-errors';
export { checkPath, checkDocumentId } from './lib/firestore-paths';
export type { PathKind } from './lib/firestore-paths';
export { toJson, documentToJson, checkDocumentData, isPlainObject, MAX_DOCUMENT_BYTES } from './lib/firestore-json';
export type { JsonObject, JsonValue } from './lib/firestore-json';
export { WHERE_OPERATORS, DEFAULT_QUERY_LIMIT, MAX_QUERY_LIMIT } from './lib/firestore-query';
