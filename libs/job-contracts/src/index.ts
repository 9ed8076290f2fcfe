export * from './lib/task-jobs';
export * from './lib/llm-jobs';
export * from './lib/vector-jobs';
export * from './lib/maintenance-jobs';
