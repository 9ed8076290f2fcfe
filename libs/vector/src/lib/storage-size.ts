/**
 * The bytes a record takes, as analyze_collection counts them and the storage quota charges
 * them: its embedding (dimension × 4, float32), its document and its metadata as UTF-8 JSON.
 */
export interface StorageFigures {
  embeddings_size: number;
  documents_size: number;
  metadata_size: number;
}

export function documentBytes(document: string | null | undefined): number {
  return document === null || document === undefined ? 0 : Buffer.byteLength(JSON.stringify(document), 'utf8');
}

export function metadataBytes(metadata: object | null | undefined): number {
  return metadata === null || metadata === undefined ? 0 : Buffer.byteLength(JSON.stringify(metadata), 'utf8');
}

export function recordsSize(dimension: number, documents: Array<string | null | undefined>, metadatas: Array<object | null | undefined>): StorageFigures {
  let documentsSize = 0;
  let metadataSize = 0;
  for (const document of documents) documentsSize += documentBytes(document);
  for (const metadata of metadatas) metadataSize += metadataBytes(metadata);
  return { embeddings_size: documents.length * dimension * 4, documents_size: documentsSize, metadata_size: metadataSize };
}

export function totalBytes(figures: StorageFigures): number {
  return figures.embeddings_size + figures.documents_size + figures.metadata_size;
}
