import type { TypedValue } from '@suite/session-state';

export type JobRecord = Record<string, TypedValue>;

/** Jobs of one session, grouped by department. */
export type JobsByDepartment = Record<string, JobRecord[]>;

/** What `context:{uid}:{cid}` holds: the profile, the company, and the departments whose jobs are cached. */
export interface CachedContext {
  user_context: Record<string, TypedValue>;
  departments: string[];
  loaded_at: Date;
}

export interface JobsMetrics {
  total_jobs: number;
  by_status: Record<string, number>;
  by_department: Record<string, { total: number; by_status: Record<string, number> }>;
  computed_at: Date;
}
