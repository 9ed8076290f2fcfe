// --- maintenance jobs (apps/task-worker's `maintenance` queue) ---

/** The latest `health_summary` job's result (JSON), read by `/debug`; expires when no summary follows. */
export const MAINTENANCE_HEALTH_SUMMARY_KEY = 'maintenance:health_summary';
