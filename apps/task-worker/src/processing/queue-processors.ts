import { Processor } from '@nestjs/bullmq';
import { Type } from '@nestjs/common';
import { AppConfig, QueueName } from '@suite/config';
import type { WorkerOptions } from 'bullmq';
import { MaintenanceQueueHost, QueueHost, TaskQueueHost } from './queue-hosts';

/** How many times a stalled job is put back in the queue before it is failed. */
const MAX_STALLED_COUNT = 2;

/** The BullMQ worker settings of this instance (autorun off: QueueWorkers starts them once the app is up). */
export function workerOptions(config: AppConfig): Omit<WorkerOptions, 'connection'> {
  return {
    concurrency: config.WORKER_CONCURRENCY,
    lockDuration: config.WORKER_LOCK_DURATION_MS,
    stalledInterval: config.WORKER_STALLED_INTERVAL_MS,
    maxStalledCount: MAX_STALLED_COUNT,
    autorun: false,
  };
}

/**
 * The @Processor class serving `queue` with this configuration. @nestjs/bullmq starts one worker
 * per @Processor provider it finds at start-up, so the module registers the classes of the
 * configured queues only (WORKER_QUEUES); each call makes new classes, so two modules built from
 * two configurations (tests) do not share worker settings.
 */
export function queueProcessor(queue: QueueName, config: AppConfig): Type<QueueHost> {
  const options = workerOptions(config);
  if (queue === 'maintenance') {
    @Processor(queue, options)
    class MaintenanceQueueProcessor extends MaintenanceQueueHost {}
    return MaintenanceQueueProcessor;
  }
  @Processor(queue, options)
  class TaskQueueProcessor extends TaskQueueHost {}
  Object.defineProperty(TaskQueueProcessor, 'name', { value: `${queue[0].toUpperCase()}${queue.slice(1)}QueueProcessor` });
  return TaskQueueProcessor;
}

/** The @Processor classes of the queues this instance serves. */
export function queueProcessors(config: AppConfig): Array<Type<QueueHost>> {
  return [...new Set(config.WORKER_QUEUES)].map((queue) => queueProcessor(queue, config));
}
