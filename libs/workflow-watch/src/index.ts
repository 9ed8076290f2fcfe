export { WorkflowWatchModule } from './lib/workflow-watch.module';
export { WorkflowFleet } from './lib/workflow-fleet';
export type { FleetInstanceState } from './lib/workflow-fleet';
export { WorkflowLeases } from './lib/workflow-leases';
export type { UserLease, CacheCommit, CommitOutcome } from './lib/workflow-leases';
export { UserWatch, WATCHED_COLLECTIONS } from './lib/user-watch';
export type { WatchedCollection } from './lib/user-watch';
export { INVOICE_FIELDS, STEP_STATUS_FIELD, diffTaskState, taskStateOf } from './lib/workflow-diff';
export type { TaskState, TaskChanges } from './lib/workflow-diff';
export {
  WorkflowControlClient,
  WORKFLOW_CONTROL_PATTERN,
  isWorkflowControlMessage,
  workflowControlTransport,
} from './lib/workflow-control';
export type { WorkflowControlMessage } from './lib/workflow-control';
export { readWorkflowFleetStats, listWatchedUsers, userCacheEntries } from './lib/workflow-stats';
export type { WorkflowFleetStats } from './lib/workflow-stats';
export { stableStringify } from './lib/stable-json';
