export * from './lib/task-jobs';
