import { QueueName } from '@suite/config';
import { TASK_TYPES, TaskType } from '@suite/job-contracts';

export interface HandlerInventory {
  /** The queues this instance serves. */
  queues: readonly QueueName[];
  /** The task types that have a processor. */
  taskTypes: readonly TaskType[];
  /** The maintenance jobs that have a handler. */
  maintenanceJobs: readonly string[];
  /** Every maintenance job the scheduler may queue. */
  knownMaintenanceJobs: readonly string[];
}

/**
 * The job types of the served queues that nothing would run: a task type (TASK_TYPES) of a served
 * queue without a processor, a maintenance job without a handler. Start-up refuses any.
 */
export function jobTypesWithoutHandler(inventory: HandlerInventory): string[] {
  const served = new Set(inventory.queues);
  const processed = new Set(inventory.taskTypes);
  const missing = (Object.keys(TASK_TYPES) as TaskType[])
    .filter((type) => served.has(TASK_TYPES[type].queue) && !processed.has(type))
    .map((type) => `${TASK_TYPES[type].queue}/${type}`);
  if (served.has('maintenance')) {
    const handled = new Set(inventory.maintenanceJobs);
    missing.push(...inventory.knownMaintenanceJobs.filter((job) => !handled.has(job)).map((job) => `maintenance/${job}`));
  }
  return missing;
}

/** Task types with more than one processor. */
export function taskTypesWithSeveralProcessors(taskTypes: readonly TaskType[]): TaskType[] {
  return [...new Set(taskTypes.filter((type, index) => taskTypes.indexOf(type) !== index))];
}
