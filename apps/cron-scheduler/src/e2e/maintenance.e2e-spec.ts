import { HealthSummary, MAINTENANCE_JOB_NAMES } from '@suite/job-contracts';
import {
  findFreePort,
  ManagedProcess,
  spawnApp,
  TEST_SERVICE_TOKEN,
  testRedisClient,
  TestRedis,
  uniqueId,
  useIsolatedRedis,
  waitFor,
  writeFirestoreDocument,
} from '@suite/testing';
import { Queue } from 'bullmq';

// A Redis of this file's own: the health summary's counts are then exactly what the test wrote.
useIsolatedRedis();

const EVERY_MS = 1000;

const sortedEntries = (counts: Record<string, number>) => JSON.stringify(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
const INTERVALS = {
  MAINTENANCE_INTERVAL_MS: String(EVERY_MS),
  MAINTENANCE_PRESENCE_INTERVAL_MS: String(EVERY_MS),
  MAINTENANCE_CHROMA_INTERVAL_MS: String(EVERY_MS),
  MAINTENANCE_HEALTH_INTERVAL_MS: String(EVERY_MS),
};

async function mirroredStatus(userId: string): Promise<string | undefined> {
  const host = process.env['FIRESTORE_EMULATOR_HOST'];
  const project = process.env['FIREBASE_PROJECT_ID'] ?? 'demo-suite';
  const response = await fetch(`http://${host}/v1/projects/${project}/databases/(default)/documents/listeners_registry/${userId}`, {
    headers: { authorization: 'Bearer owner' },
  });
  const document = (await response.json()) as { fields?: { status?: { stringValue?: string } } };
  return document.fields?.status?.stringValue;
}

async function completedMaintenanceJobs(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  return Number(/^job_duration_seconds_count\{queue="maintenance",outcome="completed"\} (\d+)$/m.exec(text)?.[1] ?? 0);
}

describe('maintenance jobs: scheduled by two cron schedulers, run by a worker, seen by the gateway', () => {
  const processes: ManagedProcess[] = [];
  const workerLines: string[] = [];
  let redis: TestRedis;
  let maintenance: Queue;
  let computation: Queue;
  let gatewayUrl: string;

  beforeAll(() => {
    redis = testRedisClient();
    maintenance = new Queue('maintenance', { connection: redis, prefix: '{bq}' });
    computation = new Queue('computation', { connection: redis, prefix: '{bq}' });
  });

  afterAll(async () => {
    await Promise.all(processes.map((child) => child.stop()));
    await Promise.all([maintenance.close(), computation.close()]);
    redis.disconnect();
  });

  it('each job does its work, once per interval however many schedulers, and /metrics counts them', async () => {
    const stale = uniqueId('stale');
    const staleBeat = Date.now() - 10 * 60_000;
    await redis.zadd('registry:presence', staleBeat, stale);
    await writeFirestoreDocument(`listeners_registry/${stale}`, { status: 'online', heartbeat_at: new Date(staleBeat).toISOString(), ttl_seconds: 90 });
    await redis.zadd('registry:presence', Date.now(), uniqueId('online'));
    await redis.zadd('registry:presence', Date.now(), uniqueId('online'));

    const holder = uniqueId('holder');
    await redis.hset(`registry:unified:${holder}`, { user_id: holder });
    await redis.sadd('registry:unified_users', holder);
    await redis.sadd(`registry:unified:${holder}:chroma_collections`, 'kept', 'gone');
    await redis.hset(`registry:chroma:${holder}:kept`, { user_id: holder, collection_name: 'kept' });
    await redis.expire(`registry:chroma:${holder}:kept`, 600);

    for (const [company, tasks] of [['c1', ['t1', 't2']], ['c2', ['t3']]] as const) {
      await redis.hset(`registry:company:${company}`, { company_id: company });
      await redis.sadd('registry:companies', company);
      await redis.sadd(`registry:company:${company}:active_tasks`, ...tasks);
    }
    await computation.addBulk([{ name: 'document_analysis', data: {} }, { name: 'document_analysis', data: {} }]); // no worker serves it here

    const port = await findFreePort();
    gatewayUrl = `http://127.0.0.1:${port}`;
    const worker = spawnApp('task-worker', { WORKER_QUEUES: 'maintenance', ...INTERVALS });
    let partial = '';
    worker.child.stdout?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      workerLines.push(...lines);
    });
    processes.push(
      spawnApp('cron-scheduler', INTERVALS),
      spawnApp('cron-scheduler', INTERVALS),
      worker,
      spawnApp('rpc-gateway', { PORT: String(port), LISTENERS_SERVICE_TOKEN: TEST_SERVICE_TOKEN, ...INTERVALS }),
    );
    const started = Date.now();
    await waitFor(async () => (await fetch(`${gatewayUrl}/healthz`).catch(() => undefined))?.status === 200, 'the gateway to answer', 60_000, 200);
    const completedAtStart = await completedMaintenanceJobs(`${gatewayUrl}/metrics`);

    // presence_expiry: out of presence, and offline in Firestore.
    await waitFor(async () => (await redis.zscore('registry:presence', stale)) === null, 'the stale user to leave presence', 60_000, 200);
    await waitFor(async () => (await mirroredStatus(stale)) === 'offline', 'the stale user to be offline in Firestore', 10_000, 200);

    // chroma_registration_expiry: the expired collection leaves the user's record, the live one stays.
    await waitFor(async () => (await redis.smembers(`registry:unified:${holder}:chroma_collections`)).join() === 'kept', 'the expired collection to go', 10_000, 200);

    // health_summary: logged, kept for /debug, with the counts written above and every instance.
    const expected = {
      online_users: 2,
      unified_users: 1,
      companies: 2,
      active_tasks: 3,
      live_instances: { 'cron-scheduler': 2, 'task-worker': 1, 'rpc-gateway': 1 },
    };
    let summary: HealthSummary | undefined;
    await waitFor(
      async () => {
        const stored = await redis.get('maintenance:health_summary');
        summary = stored ? (JSON.parse(stored) as HealthSummary) : undefined;
        // Compared as sorted entries: the apps come in the order they last beat, which varies.
        return sortedEntries(summary?.live_instances ?? {}) === sortedEntries(expected.live_instances);
      },
      'a health summary seeing every instance',
      30_000,
      200,
    );
    expect(summary).toMatchObject(expected);
    expect(summary?.queues.computation).toMatchObject({ waiting: 2, active: 0 });
    expect(Object.keys(summary?.queues ?? {}).sort()).toEqual(['computation', 'default', 'llm', 'maintenance']);
    const debug = (await (await fetch(`${gatewayUrl}/debug`, { headers: { authorization: `Bearer ${TEST_SERVICE_TOKEN}` } })).json()) as { maintenance: { health_summary: HealthSummary } };
    expect(debug.maintenance.health_summary).toMatchObject({ online_users: 2, companies: 2, active_tasks: 3 });
    const logged = workerLines.filter((line) => line.includes('"event":"health_summary"')).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged.at(-1)).toMatchObject({ online_users: 2, unified_users: 1, companies: 2, active_tasks: 3 });
    for (const job of ['registry_cleanup', 'presence_expiry', 'chroma_registration_expiry']) {
      expect(workerLines.some((line) => line.includes(`"event":"${job}"`))).toBe(true);
    }

    // Every job type ran, each at most once per interval although two schedulers upserted it.
    await waitFor(async () => {
      const completed = await maintenance.getJobs(['completed']);
      return MAINTENANCE_JOB_NAMES.every((name) => completed.filter((job) => job.name === name).length >= 3);
    }, 'three runs of each maintenance job', 30_000, 250);
    const elapsed = Date.now() - started;
    const jobs = await maintenance.getJobs(['completed', 'failed', 'active', 'waiting', 'delayed']);
    expect(jobs.filter((job) => job.failedReason)).toEqual([]);
    for (const name of MAINTENANCE_JOB_NAMES) {
      const times = jobs
        .filter((job) => job.name === name)
        .map((job) => Number(job.id?.split(':').at(-1)))
        .sort((a, b) => a - b);
      const gaps = times.slice(1).map((time, index) => time - times[index]);
      expect(gaps.every((gap) => gap >= EVERY_MS)).toBe(true);
      // Both schedulers started at about `started`: with two jobs per interval there would be twice as many.
      expect(times.length).toBeLessThanOrEqual(Math.ceil(elapsed / EVERY_MS) + 2);
    }

    // The gateway's /metrics: the fleet's maintenance job durations, rising as jobs complete.
    await waitFor(async () => (await completedMaintenanceJobs(`${gatewayUrl}/metrics`)) >= completedAtStart + 8, 'job_duration_seconds to count the maintenance jobs', 20_000, 250);
  }, 180_000);
});
