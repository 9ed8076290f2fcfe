import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MAINTENANCE_JOBS, maintenanceJobId } from '@suite/job-contracts';
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

  it('records the duration of each completed maintenance job', async () => {
    const before = await completedCount();
    const queue = app.get(TaskQueues).queue('maintenance');
    const job = await queue.add(MAINTENANCE_JOBS.registry_cleanup, { window: 0 }, { jobId: maintenanceJobId('registry_cleanup', Date.now()) });
    await waitFor(async () => (await job.getState()) === 'completed', 'the maintenance job to complete', 20_000, 100);
    await app.get(JobDurationStats).flush();
    expect(await completedCount()).toBeGreaterThanOrEqual(before + 1);
  }, 60_000);
});
