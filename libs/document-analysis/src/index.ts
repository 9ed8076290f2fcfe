export { analyzeDocument, ANALYSIS_STEPS } from './lib/analyze-document';
export type { DocumentAnalysis, AnalysisStep } from './lib/analyze-document';
