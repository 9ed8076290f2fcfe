import type { QueueName } from '@suite/config';

/**
 * Maintenance jobs (no task record): produced on the `maintenance` queue by the job schedulers the
 * cron scheduler upserts, one per job, each on its own interval; run by a task worker.
 */
export const MAINTENANCE_JOBS = {
  registry_cleanup: 'registry_cleanup',
  presence_expiry: 'presence_expiry',
  chroma_registration_expiry: 'chroma_registration_expiry',
  health_summary: 'health_summary',
} as const;

export type MaintenanceJob = keyof typeof MAINTENANCE_JOBS;

export const MAINTENANCE_JOB_NAMES = Object.keys(MAINTENANCE_JOBS) as MaintenanceJob[];

/** Job counts of one queue per state, as BullMQ's `getJobCounts()` reports them. */
export type QueueJobCounts = Record<string, number>;

/**
 * What the `health_summary` job measured (logged as its `health_summary` line, kept in Redis for
 * `/debug`). Every figure is read from Redis at `measured_at`.
 */
export interface HealthSummary {
  measured_at: string;
  /** Users with a heartbeat within the presence window. */
  online_users: number;
  /** Users of the unified registry whose record has not expired yet (or not been cleaned up yet). */
  unified_users: number;
  companies: number;
  /** Tasks registered and not ended (the companies' `active_tasks` sets). */
  active_tasks: number;
  queues: Record<QueueName, QueueJobCounts>;
  /** Instances that beat recently (`instances:live`), per app. */
  live_instances: Record<string, number>;
}
