import { Injectable } from '@nestjs/common';
import { ANALYSIS_STEPS, DocumentAnalysis } from '@suite/document-analysis';
import { DocumentAnalysisPayload, TaskJobData, TaskType } from '@suite/job-contracts';
import { InvalidTaskInputError } from '@suite/tasks';
import { ProcessingContext, TaskProcessor } from '../../processing/task-processor';
import { AnalysisThreadPool } from './analysis-thread-pool';

const MAX_TEXT_CHARACTERS = 2_000_000;

export interface DocumentAnalysisResult extends DocumentAnalysis {
  job_id: string;
}

/** `document_analysis` on the `computation` queue: real text analysis, progress per step. */
@Injectable()
export class DocumentAnalysisProcessor implements TaskProcessor<DocumentAnalysisPayload, DocumentAnalysisResult> {
  readonly type: TaskType = 'document_analysis';

  constructor(private readonly threads: AnalysisThreadPool) {}

  async process(job: TaskJobData<DocumentAnalysisPayload>, context: ProcessingContext): Promise<DocumentAnalysisResult> {
    const document = job.payload.document_data ?? {};
    const text = typeof document.content === 'string' ? document.content : typeof document.text === 'string' ? document.text : undefined;
    if (text === undefined) throw new InvalidTaskInputError('document_data must carry the text in "content" (or "text")');
    if (text.length > MAX_TEXT_CHARACTERS) throw new InvalidTaskInputError(`document_data.content is longer than ${MAX_TEXT_CHARACTERS} characters`);

    // A step refused (the task was cancelled meanwhile) stops the analysis at once: the thread is
    // replaced rather than left to finish a document nobody wants any more.
    const stop = new AbortController();
    const onAbort = () => stop.abort(context.signal.reason);
    if (context.signal.aborted) onAbort();
    else context.signal.addEventListener('abort', onAbort, { once: true });
    const steps: Array<Promise<void>> = [];
    try {
      const result = await this.threads.analyze(
        text,
        (step, index) => {
          const reported = context.step(Math.round(((index + 1) / (ANALYSIS_STEPS.length + 1)) * 100), step);
          reported.catch((error: unknown) => stop.abort(error));
          steps.push(reported);
        },
        stop.signal,
      );
      await Promise.all(steps); // a step still being reported when the thread finished
      return { job_id: job.payload.job_id, ...result };
    } finally {
      context.signal.removeEventListener('abort', onAbort);
    }
  }
}
