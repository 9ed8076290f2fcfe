import { Queue } from 'bullmq';
import { ManagedProcess, spawnApp, testRedisClient, TestRedis, uniqueId, waitFor } from '@suite/testing';

describe('registry maintenance: queued by two schedulers, run by a worker', () => {
  const processes: ManagedProcess[] = [];
  let redis: TestRedis;
  let queue: Queue;

  beforeAll(() => {
    redis = testRedisClient();
    queue = new Queue('maintenance', { connection: redis, prefix: '{bq}' });
  });

  afterAll(async () => {
    await Promise.all(processes.map((child) => child.stop()));
    await queue.close();
    redis.disconnect();
  });

  it('removes stale presence, and each tick runs once however many schedulers there are', async () => {
    const stale = uniqueId('gone');
    await redis.zadd('registry:presence', Date.now() - 10 * 60_000, stale);
    const started = Date.now();
    processes.push(
      spawnApp('cron-scheduler', { MAINTENANCE_INTERVAL_MS: '1000' }),
      spawnApp('cron-scheduler', { MAINTENANCE_INTERVAL_MS: '1000' }),
      spawnApp('task-worker', { WORKER_QUEUES: 'maintenance' }),
    );
    await waitFor(async () => (await redis.zscore('registry:presence', stale)) === null, 'the stale presence entry to go', 60_000, 200);
    await new Promise((resolve) => setTimeout(resolve, 3000));

    const jobs = await queue.getJobs(['completed', 'waiting', 'active', 'delayed']);
    const ours = jobs.filter((job) => Number(job.id?.split('-')[1]) >= started - 1000);
    const windows = ours.map((job) => job.id);
    expect(new Set(windows).size).toBe(windows.length);
    // Two schedulers ticking every second: one job per one-second window, not two.
    expect(ours.length).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 1000) + 1);
    expect(ours.some((job) => job.returnvalue && typeof job.returnvalue === 'object' && 'presence_removed' in job.returnvalue)).toBe(true);
  }, 90_000);
});
