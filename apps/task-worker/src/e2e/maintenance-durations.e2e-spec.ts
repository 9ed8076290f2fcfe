import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MAINTENANCE_JOB_NAMES } from '@suite/job-contracts';
import { JobDurationStats, TaskQueues } from '@suite/queues';
import { testConfig, uniqueId, waitFor } from '@suite/testing';
import { TaskWorkerModule } from '../task-worker.module';

/** The `maintenance` queue's jobs count in job_duration_seconds (what /metrics renders), as task jobs do. */
describe('maintenance job durations', () => {
  let app: INestApplicationContext;

  beforeAll(async () => {
    const config = testConfig({ WORKER_QUEUES: 'maintenance', QUEUE_PREFIX: `{${uniqueId('maint')}}` });
    const moduleRef = await Test.createTestingModule({ imports: [TaskWorkerModule.register(config)] }).compile();
    app = await moduleRef.init();
  }, 60_000);

  afterAll(async () => {
    await app?.close();
  });

  const completedCount = async () => {
    const histograms = await app.get(JobDurationStats).read();
    return histograms.find((histogram) => histogram.queue === 'maintenance' && histogram.outcome === 'completed')?.count ?? 0;
  };

  it('runs each maintenance job type to its report and records its duration', async () => {
    const before = await completedCount();
    const queue = app.get(TaskQueues).queue('maintenance');
    const jobs = await Promise.all(MAINTENANCE_JOB_NAMES.map((name) => queue.add(name, {}, { jobId: uniqueId(name) })));
    await waitFor(async () => (await Promise.all(jobs.map((job) => job.getState()))).every((state) => state === 'completed'), 'the maintenance jobs to complete', 20_000, 100);
    const reports = Object.fromEntries(await Promise.all(jobs.map(async (job) => [job.name, (await queue.getJob(job.id ?? ''))?.returnvalue] as const)));
    expect(reports).toEqual({
      registry_cleanup: { company_presence_removed: expect.any(Number), task_ids_removed: expect.any(Number), users_removed: expect.any(Number), companies_removed: expect.any(Number) },
      presence_expiry: { users_offline: expect.any(Number), heartbeat_raced: expect.any(Number), mirror_failed: expect.any(Number) },
      chroma_registration_expiry: { users_checked: expect.any(Number), registrations_removed: expect.any(Number) },
      health_summary: expect.objectContaining({ online_users: expect.any(Number), queues: expect.objectContaining({ maintenance: expect.any(Object) }) }),
    });
    await app.get(JobDurationStats).flush();
    expect(await completedCount()).toBeGreaterThanOrEqual(before + MAINTENANCE_JOB_NAMES.length);
  }, 60_000);

  it('fails a maintenance job it has no handler for, without retrying it', async () => {
    const queue = app.get(TaskQueues).queue('maintenance');
    const job = await queue.add('no_such_job', {}, { jobId: uniqueId('unknown'), attempts: 3 });
    await waitFor(async () => (await job.getState()) === 'failed', 'the unknown job to fail', 20_000, 100);
    const failed = await queue.getJob(job.id ?? '');
    expect(failed?.failedReason).toBe('unknown maintenance job "no_such_job"');
    expect(failed?.attemptsMade).toBe(1);
  }, 30_000);
});
