import type { JobsByDepartment, JobsMetrics } from './session-data.types';

/** Counts per department and status (the seed's jobs_metrics). */
export function computeJobsMetrics(jobs: JobsByDepartment, now = new Date()): JobsMetrics {
  const metrics: JobsMetrics = { total_jobs: 0, by_status: {}, by_department: {}, computed_at: now };
  for (const [department, records] of Object.entries(jobs)) {
    const own: Record<string, number> = {};
    for (const record of records) {
      const status = typeof record['status'] === 'string' && record['status'].length > 0 ? record['status'] : 'unknown';
      own[status] = (own[status] ?? 0) + 1;
      metrics.by_status[status] = (metrics.by_status[status] ?? 0) + 1;
    }
    metrics.by_department[department] = { total: records.length, by_status: own };
    metrics.total_jobs += records.length;
  }
  return metrics;
}
