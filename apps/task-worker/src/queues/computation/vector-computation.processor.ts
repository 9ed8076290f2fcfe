import { Injectable } from '@nestjs/common';
import { TaskJobData, TaskType, vectorDocumentId, VectorComputationPayload, VectorComputationResult } from '@suite/job-contracts';
import { InvalidTaskInputError } from '@suite/tasks';
import { VectorError, VectorStore } from '@suite/vector';
import { ProcessingContext, TaskProcessor } from '../../processing/task-processor';

/** Progress left for the end of the task (the runner reports 100 on completion). */
const PROGRESS_SPAN = 95;

/**
 * `vector_computation` on the `computation` queue: embeds the documents and adds them to the
 * collection batch by batch (one task.progress_update per batch). Ids are fixed per task, and
 * documents already stored are skipped, so a retried job adds and charges nothing twice.
 */
@Injectable()
export class VectorComputationProcessor implements TaskProcessor<VectorComputationPayload, VectorComputationResult> {
  readonly type: TaskType = 'vector_computation';

  constructor(private readonly store: VectorStore) {}

  async process(job: TaskJobData<VectorComputationPayload>, context: ProcessingContext): Promise<VectorComputationResult> {
    const { collection_name: collectionName, documents, metadatas } = job.payload;
    const ids = job.payload.ids ?? documents.map((_, index) => vectorDocumentId(job.task_id, index));
    try {
      const result = await this.store.add({
        collectionName,
        documents,
        metadatas: metadatas ?? undefined,
        ids,
        companyId: job.company_id,
        signal: context.signal,
        onBatch: (report, total) => context.step(Math.round((report.batch / total) * PROGRESS_SPAN), `batch ${report.batch}/${total}`, report),
      });
      return { collection_name: collectionName, added: result.added, existing: result.existing.length, batches: result.batches.length, document_count: documents.length };
    } catch (error) {
      // Input or quota refusals cannot succeed on a retry; UNAVAILABLE can (BullMQ retries it with backoff).
      if (error instanceof VectorError && error.code !== 'UNAVAILABLE') throw new InvalidTaskInputError(error.message);
      throw error;
    }
  }
}
