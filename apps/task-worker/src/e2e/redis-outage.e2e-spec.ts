import { exitOf, findFreePort, ManagedProcess, RedisServer, singleNodeOnly, spawnApp, startRedisServer, uniqueId, waitFor } from '@suite/testing';

/** How long the outage is watched before the worker is told to stop. */
const OUTAGE_WATCH_MS = 6000;
const QUEUES = ['default', 'computation'];
/** The worker's own lines about its queues' connections. */
const WORKER_CONNECTION_EVENTS = ['redis_unreachable', 'redis_still_unreachable', 'worker_error'];

interface LogLine {
  event?: string;
  [field: string]: unknown;
}

/**
 * A task worker on a Redis of its own (a throwaway redis-server on a free port), which the test
 * stops: the outage must not flood the logs, and a drain with nothing in flight must not wait for
 * a Redis that does not answer.
 */
// The worker runs on a Redis node of its own, which the test stops: the same in either lane.
singleNodeOnly.describe('task-worker when Redis goes away', () => {
  let redis: RedisServer;
  let worker: ManagedProcess;
  const lines: LogLine[] = [];
  let outageStartedAt = 0;

  beforeAll(async () => {
    const port = await findFreePort();
    redis = await startRedisServer(port);
    worker = spawnApp('task-worker', {
      LISTENERS_REDIS_HOST: redis.host,
      LISTENERS_REDIS_PORT: String(port),
      QUEUE_PREFIX: `{${uniqueId('outage')}}`,
      WORKER_QUEUES: QUEUES.join(','),
      // Far longer than this test may take: exiting must not depend on the grace running out.
      SHUTDOWN_GRACE_MS: '600000',
    });
    let partial = '';
    worker.child.stdout?.on('data', (chunk: Buffer) => {
      const complete = (partial + chunk.toString()).split('\n');
      partial = complete.pop() ?? '';
      for (const line of complete) {
        try {
          lines.push(JSON.parse(line) as LogLine);
        } catch {
          lines.push({ event: 'unparsed', text: line });
        }
      }
    });
    await waitFor(() => lines.some((line) => line.event === 'workers_started'), 'the worker to start', 60_000, 100).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${worker.output()}`);
    });
    await redis.stop();
    outageStartedAt = lines.length;
  }, 90_000);

  afterAll(async () => {
    await worker?.kill();
    await redis?.kill();
  });

  it('logs the outage once per queue, then at most every few seconds while it lasts', async () => {
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_WATCH_MS));
    const duringOutage = lines.slice(outageStartedAt);
    const fromQueues = duringOutage.filter((line) => WORKER_CONNECTION_EVENTS.includes(line.event ?? ''));
    // Before: about 4 `worker_error ECONNREFUSED` lines a second. Now: `redis_unreachable` once per
    // queue when the connection is lost, and `redis_still_unreachable` at most every 5 s.
    expect(fromQueues.filter((line) => line.event === 'redis_unreachable').map((line) => line.queue).sort()).toEqual([...QUEUES].sort());
    expect(fromQueues.length).toBeLessThanOrEqual(2 * QUEUES.length);
    // The app's own connections (libs/redis) log each distinct error once.
    expect(duringOutage.filter((line) => JSON.stringify(line).includes('ECONNREFUSED')).length).toBeLessThanOrEqual(2 * QUEUES.length + 3);
  }, 30_000);

  it('exits 0 at once on SIGTERM while Redis is down and no job is in flight, without waiting for the grace', async () => {
    worker.child.kill('SIGTERM');
    expect(await exitOf(worker)).toBe(0);
    const events = lines.map((line) => line.event);
    expect(events).not.toContain('drain_timeout');
    expect(events).toContain('workers_stopped_redis_unreachable');
  }, 30_000);
});
