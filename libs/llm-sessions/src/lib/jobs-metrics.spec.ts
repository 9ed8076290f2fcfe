import { computeJobsMetrics } from './jobs-metrics';

describe('computeJobsMetrics', () => {
  it('counts jobs per department and status', () => {
    const at = new Date('2024-01-01T00:00:00Z');
    expect(
      computeJobsMetrics({ APbookeeper: [{ status: 'pending' }, { status: 'completed' }, {}], Router: [{ status: 'pending' }] }, at),
    ).toEqual({
      total_jobs: 4,
      by_status: { pending: 2, completed: 1, unknown: 1 },
      by_department: {
        APbookeeper: { total: 3, by_status: { pending: 1, completed: 1, unknown: 1 } },
        Router: { total: 1, by_status: { pending: 1 } },
      },
      computed_at: at,
    });
  });
});
