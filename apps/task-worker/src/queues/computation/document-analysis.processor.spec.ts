import type { AppConfig } from '@suite/config';
import type { DocumentAnalysisPayload, TaskJobData } from '@suite/job-contracts';
import { TaskCancelledError } from '@suite/tasks';
import { ProcessingContext } from '../../processing/task-processor';
import { AnalysisThreadPool } from './analysis-thread-pool';
import { DocumentAnalysisProcessor } from './document-analysis.processor';

/** A document long enough that its later steps take a while (the language model reads it all). */
const LONG_TEXT = Array.from({ length: 4000 }, (_, i) => `Invoice ${i} from ACME Corp. was paid on 12 March 2024 by billing${i}@acme.example for $${i},00.`).join('\n');

function job(content: string): TaskJobData<DocumentAnalysisPayload> {
  return {
    task_id: 'doc_analysis_cancel',
    task_type: 'document_analysis',
    user_id: 'u1',
    company_id: 'c1',
    max_duration: 3600,
    started_at: Date.now(),
    payload: { document_data: { content }, job_id: 'cancel' },
  };
}

/** The real processor on a real worker thread; only the task record is played by the test. */
describe('DocumentAnalysisProcessor', () => {
  const pool = new AnalysisThreadPool({ WORKER_CPU_THREADS: 1 } as AppConfig);
  const processor = new DocumentAnalysisProcessor(pool);

  afterAll(() => pool.onApplicationShutdown());

  it('stops within one step once the task is cancelled, and the next analysis runs on a fresh thread', async () => {
    const reported: string[] = [];
    let cancelled = false;
    const context: ProcessingContext = {
      attempt: 1,
      signal: new AbortController().signal,
      // As the task record does: the cancellation arrives while the first step runs, so every
      // step reported after it is refused.
      step: async (_progress, step) => {
        reported.push(step);
        if (cancelled) throw new TaskCancelledError('doc_analysis_cancel');
        cancelled = true;
      },
    };
    await expect(processor.process(job(LONG_TEXT), context)).rejects.toBeInstanceOf(TaskCancelledError);
    // Refused at its second step: it may have started one more, never the rest.
    expect(reported.slice(0, 2)).toEqual(['statistics', 'sentences']);
    expect(reported.length).toBeLessThanOrEqual(3);

    const steps: string[] = [];
    const result = await processor.process(job('Pay $5 to help@acme.example today.'), { ...context, step: async (_progress, step) => void steps.push(step) });
    expect(steps).toEqual(['statistics', 'sentences', 'tokens', 'keywords', 'entities']);
    expect(result.entities).toContainEqual({ value: 'help@acme.example', type: 'EMAIL', count: 1 });
  }, 60_000);
});
