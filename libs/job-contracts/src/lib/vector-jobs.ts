import { createHash } from 'node:crypto';

/** `vector_computation` on the `computation` queue: embed documents and add them to a Chroma collection in batches. */
export interface VectorComputationPayload {
  collection_name: string;
  documents: string[];
  metadatas?: Array<Record<string, string | number | boolean> | null>;
  /** Absent: one id per document derived from the task id (see vectorDocumentId), so a retried job adds nothing twice. */
  ids?: string[];
}

export interface VectorComputationResult {
  collection_name: string;
  added: number;
  /** Documents already in the collection (a retried job, or ids given twice across tasks): left as they were. */
  existing: number;
  batches: number;
  document_count: number;
}

/** The id of document `index` of a task that was given no ids: the same on every attempt of the job. */
export function vectorDocumentId(taskId: string, index: number): string {
  return `${taskId}_${index}`;
}

/**
 * The job id part of a vector computation: a digest of who asks and what, so the same start
 * repeated (a client retry) is the same task and one job, as SPEC §8 asks of task ids.
 */
export function vectorComputationJobId(userId: string, companyId: string, payload: VectorComputationPayload): string {
  return createHash('sha256').update(JSON.stringify([userId, companyId, payload.collection_name, payload.documents, payload.metadatas ?? null, payload.ids ?? null])).digest('hex').slice(0, 32);
}
