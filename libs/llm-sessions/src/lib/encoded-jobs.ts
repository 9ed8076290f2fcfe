import { typedJson } from '@suite/session-state';
import { computeJobsMetrics } from './jobs-metrics';
import type { JobRecord, JobsByDepartment, JobsMetrics } from './session-data.types';

/** A session's jobs in their stored form: each department's jobs as typed JSON text, as `jobs:{uid}:{cid}:{department}` holds them. */
export type EncodedJobs = Record<string, string>;

export function encodeJobs(jobs: JobsByDepartment): EncodedJobs {
  return Object.fromEntries(Object.entries(jobs).map(([department, records]) => [department, typedJson.stringify(records)]));
}

/**
 * The session's `jobs_data` field (typed JSON of the jobs by department), assembled from the
 * departments' texts: the same text `typedJson.stringify` gives for the decoded jobs, without
 * decoding and encoding them again (most of a warm initialization's CPU otherwise).
 */
export function jobsDataText(jobs: EncodedJobs): string {
  return `{${Object.entries(jobs).map(([department, text]) => `${JSON.stringify(department)}:${text}`).join(',')}}`;
}

/**
 * The jobs' counts per department and status, read with plain JSON.parse: dates stay in their
 * encoded form (`{"$date": …}`), which the counts never look at (a non-string status is `unknown`
 * either way).
 */
export function metricsOfEncodedJobs(jobs: EncodedJobs, now = new Date()): JobsMetrics {
  const plain = Object.fromEntries(Object.entries(jobs).map(([department, text]) => [department, JSON.parse(text) as JobRecord[]]));
  return computeJobsMetrics(plain, now);
}
