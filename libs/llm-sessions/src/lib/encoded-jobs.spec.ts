import { typedJson } from '@suite/session-state';
import { encodeJobs, jobsDataText, metricsOfEncodedJobs } from './encoded-jobs';
import { computeJobsMetrics } from './jobs-metrics';
import type { JobsByDepartment } from './session-data.types';

const jobs: JobsByDepartment = {
  APbookeeper: [
    { job_id: 'j1', status: 'pending', due: new Date('2024-05-01T00:00:00Z'), tags: new Set(['urgent']), document: { amount: 12.5, lines: [1, 2] } },
    { job_id: 'j2', status: 'completed', note: 'guillemets " et \\ barres' },
  ],
  'Router-2': [{ job_id: 'j3', status: new Date('2024-01-01T00:00:00Z') }, { job_id: 'j4' }],
};

describe('encoded jobs', () => {
  it('jobs_data assembled from the departments texts is the text typedJson gives, and decodes back to the jobs', () => {
    const text = jobsDataText(encodeJobs(jobs));
    expect(text).toBe(typedJson.stringify(jobs));
    const decoded = typedJson.parse<JobsByDepartment>(text);
    expect(decoded).toEqual(jobs);
    expect(decoded['APbookeeper'][0]['due']).toBeInstanceOf(Date);
    expect(jobsDataText({})).toBe('{}');
  });

  it('counts the encoded jobs as computeJobsMetrics counts the decoded ones', () => {
    const at = new Date('2024-06-01T00:00:00Z');
    expect(metricsOfEncodedJobs(encodeJobs(jobs), at)).toEqual(computeJobsMetrics(jobs, at));
    expect(metricsOfEncodedJobs(encodeJobs(jobs), at)).toMatchObject({ total_jobs: 4, by_status: { pending: 1, completed: 1, unknown: 2 } });
  });
});
