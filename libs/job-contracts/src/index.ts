export * from './lib/task-jobs';
export * from './lib/llm-jobs';
