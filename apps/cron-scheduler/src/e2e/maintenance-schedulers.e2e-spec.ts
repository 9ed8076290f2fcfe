import { getQueueToken } from '@nestjs/bullmq';
import { Test, TestingModule } from '@nestjs/testing';
import { ScheduleModule } from '@nestjs/schedule';
import { ConfigModule } from '@suite/config';
import { MAINTENANCE_JOB_NAMES } from '@suite/job-contracts';
import { QueuesModule } from '@suite/queues';
import { RedisModule } from '@suite/redis';
import { testConfig, testRedisClient, TestRedis, uniqueId } from '@suite/testing';
import { Queue } from 'bullmq';
import { MaintenanceSchedulers } from '../maintenance/maintenance-schedulers';

/** The job schedulers against real Redis, without a worker: what is pending is what they produced. */
describe('maintenance job schedulers', () => {
  const prefix = `{${uniqueId('maint-sched')}}`;
  const settings = {
    QUEUE_PREFIX: prefix,
    MAINTENANCE_INTERVAL_MS: '70000',
    MAINTENANCE_PRESENCE_INTERVAL_MS: '50000',
    MAINTENANCE_CHROMA_INTERVAL_MS: '110000',
    MAINTENANCE_HEALTH_INTERVAL_MS: '130000',
  };
  const instances: TestingModule[] = [];
  let redis: TestRedis;

  async function schedulerInstance(): Promise<TestingModule> {
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(testConfig(settings)), ScheduleModule.forRoot(), RedisModule, QueuesModule],
      providers: [MaintenanceSchedulers],
    }).compile();
    instances.push(moduleRef);
    return moduleRef.init();
  }

  const queueOf = (moduleRef: TestingModule) => moduleRef.get<Queue>(getQueueToken('maintenance'));
  const pendingIds = async (queue: Queue) => (await queue.getJobs(['waiting', 'delayed', 'prioritized'])).map((job) => job.id ?? '').sort();

  beforeAll(() => {
    redis = testRedisClient();
  });

  afterAll(async () => {
    await Promise.all(instances.map((moduleRef) => moduleRef.close()));
    redis.disconnect();
  });

  it('start-up upserts one scheduler per job, each every its own setting, with one pending job each', async () => {
    const queue = queueOf(await schedulerInstance());
    const schedulers = await queue.getJobSchedulers();
    expect(Object.fromEntries(schedulers.map((scheduler) => [scheduler.key, scheduler.every]))).toEqual({
      registry_cleanup: 70_000,
      presence_expiry: 50_000,
      chroma_registration_expiry: 110_000,
      health_summary: 130_000,
    });
    const pending = await queue.getJobs(['waiting', 'delayed', 'prioritized']);
    expect(pending.map((job) => job.name).sort()).toEqual([...MAINTENANCE_JOB_NAMES].sort());
  });

  it("a second instance's start-up adds no job: the pending ones stay as they were", async () => {
    const queue = queueOf(instances[0]);
    const before = await pendingIds(queue);
    await schedulerInstance();
    expect(await pendingIds(queue)).toEqual(before);
  });

  it("an upsert gives a scheduler whose next job went missing a new one, and removes a retired job's scheduler", async () => {
    const schedulers = instances[0].get(MaintenanceSchedulers);
    const queue = queueOf(instances[0]);
    const [lost] = (await queue.getJobs(['waiting', 'delayed', 'prioritized'])).filter((job) => job.name === 'presence_expiry');
    // As when a worker took the job and its write of the next one failed: the scheduler has no job left.
    await redis.lrem(`${prefix}:maintenance:wait`, 0, lost.id ?? '');
    await redis.zrem(`${prefix}:maintenance:delayed`, lost.id ?? '');
    await redis.del(`${prefix}:maintenance:${lost.id}`);
    await queue.upsertJobScheduler('retired_job', { every: 60_000 }, { name: 'retired_job' });
    expect((await queue.getJobs(['waiting', 'delayed'])).map((job) => job.name)).not.toContain('presence_expiry');

    await schedulers.upsertAll();

    const pending = await queue.getJobs(['waiting', 'delayed', 'prioritized']);
    expect(pending.map((job) => job.name).sort()).toEqual([...MAINTENANCE_JOB_NAMES].sort());
    expect((await queue.getJobSchedulers()).map((scheduler) => scheduler.key)).not.toContain('retired_job');
  });
});
