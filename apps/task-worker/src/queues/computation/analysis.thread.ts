/*
 * Worker-thread entry: document analysis is CPU-bound, so it runs here and the worker's event
 * loop stays free to renew its job locks and report progress.
 */
import { analyzeDocument } from '@suite/document-analysis';
import { parentPort } from 'node:worker_threads';
import type { AnalysisMessage, AnalysisRequest } from './analysis-thread-messages';

parentPort?.on('message', (request: AnalysisRequest) => {
  const post = (message: AnalysisMessage) => parentPort?.postMessage(message);
  try {
    const result = analyzeDocument(request.text, (step, index) => post({ id: request.id, kind: 'step', step, index }));
    post({ id: request.id, kind: 'done', result });
  } catch (error) {
    post({ id: request.id, kind: 'error', message: error instanceof Error ? error.message : String(error) });
  }
});
