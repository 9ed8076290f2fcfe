export { QueuesModule } from './lib/queues.module';
export { TaskQueues } from './lib/task-queues';
export type { QueueCounts } from './lib/task-queues';
export { JobDurationStats, JOB_DURATION_BUCKETS_S } from './lib/job-duration-stats';
export type { JobDurationHistogram } from './lib/job-duration-stats';
export { OutageLog, OUTAGE_LOG_REPEAT_MS } from './lib/outage-log';
export { endConnectionsNow } from './lib/end-connections';
