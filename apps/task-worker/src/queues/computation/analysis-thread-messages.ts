import type { AnalysisStep, DocumentAnalysis } from '@suite/document-analysis';

export interface AnalysisRequest {
  id: number;
  text: string;
}

export type AnalysisMessage =
  | { id: number; kind: 'step'; step: AnalysisStep; index: number }
  | { id: number; kind: 'done'; result: DocumentAnalysis }
  | { id: number; kind: 'error'; message: string };
