export { QueuesModule } from './lib/queues.module';
export { TaskQueues } from './lib/task-queues';
export type { QueueCounts } from './lib/task-queues';
