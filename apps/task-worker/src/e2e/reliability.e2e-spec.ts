import { Test, TestingModule } from '@nestjs/testing';
import { ConfigModule } from '@suite/config';
import { EventEnvelope } from '@suite/events';
import { FirebaseModule } from '@suite/firebase';
import { NoopPayload, TaskProgressEvent } from '@suite/job-contracts';
import { RedisModule } from '@suite/redis';
import { TasksModule, TaskService } from '@suite/tasks';
import { exitOf, ManagedProcess, spawnApp, testConfig, TestRedis, testRedisClient, uniqueId, waitFor } from '@suite/testing';

/** Queues of their own: a worker another test file starts on the shared Redis must not take these jobs. */
const QUEUES = { QUEUE_PREFIX: `{${uniqueId('reliability')}}`, UNIFIED_REGISTRY_ENABLED: 'true' };
/** Worker settings that make a dead worker's jobs come back within seconds rather than 30 s. */
const FAST_RECOVERY = { ...QUEUES, WORKER_LOCK_DURATION_MS: '2000', WORKER_STALLED_INTERVAL_MS: '1000', WORKER_QUEUES: 'default' };

describe('task-worker reliability, with real worker processes', () => {
  let producer: TestingModule;
  let tasks: TaskService;
  let subscriber: TestRedis;
  const events = new Map<string, TaskProgressEvent[]>();
  const workers: ManagedProcess[] = [];

  beforeAll(async () => {
    producer = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(testConfig(QUEUES)), RedisModule, FirebaseModule, TasksModule],
    }).compile();
    await producer.init();
    tasks = producer.get(TaskService);
    subscriber = testRedisClient();
    subscriber.on('pmessage', (_pattern, _channel, message) => {
      const event = JSON.parse(message) as EventEnvelope<TaskProgressEvent>;
      if (event.type !== 'task.progress_update') return;
      const list = events.get(event.payload.task_id) ?? [];
      list.push(event.payload);
      events.set(event.payload.task_id, list);
    });
    await subscriber.psubscribe('user:rel-*');
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.kill()));
    subscriber.disconnect();
    await producer.close();
  });

  const startWorker = async (extra: Record<string, string> = {}) => {
    const worker = spawnApp('task-worker', { ...FAST_RECOVERY, ...extra });
    workers.push(worker);
    await waitFor(() => worker.output().includes('workers_started'), 'the worker to start', 30_000, 100);
    return worker;
  };

  const startSlowTask = async (user: string, steps: number, delayMs: number) => {
    const taskId = uniqueId('noop');
    const outcome = await tasks.start<NoopPayload>({ type: 'noop', taskId, userId: user, companyId: 'rel-company', payload: { steps, step_delay_ms: delayMs } });
    expect(outcome.started).toBe(true);
    return taskId;
  };

  const completions = (taskId: string) => (events.get(taskId) ?? []).filter((event) => event.status === 'completed').length;
  const stepsSeen = (taskId: string) => (events.get(taskId) ?? []).filter((event) => event.current_step.startsWith('step')).length;

  it('kill -9 of a worker mid-job: another worker completes the job, once', async () => {
    const user = uniqueId('rel');
    const doomed = await startWorker();
    const taskId = await startSlowTask(user, 10, 300);
    await waitFor(() => stepsSeen(taskId) >= 2, 'the job to be running on the first worker', 20_000, 50);
    await doomed.kill(); // SIGKILL: no drain, no goodbye

    const rescuer = await startWorker();
    await waitFor(() => completions(taskId) >= 1, 'the job to complete on the second worker', 60_000, 100);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // a second completion would show up by now
    expect(completions(taskId)).toBe(1);
    expect(await tasks.status(taskId)).toMatchObject({ status: 'completed', progress: 100 });
    await rescuer.stop();
  }, 120_000);

  it('SIGTERM while jobs run: the in-flight jobs finish, then the worker exits 0; nothing is lost', async () => {
    const user = uniqueId('rel');
    const worker = await startWorker({ WORKER_CONCURRENCY: '3', SHUTDOWN_GRACE_MS: '20000' });
    const taskIds = await Promise.all([0, 1, 2].map(() => startSlowTask(user, 4, 400)));
    await waitFor(() => taskIds.every((taskId) => stepsSeen(taskId) >= 1), 'all three jobs to be running', 20_000, 50);

    worker.child.kill('SIGTERM');
    const queuedAfter = await startSlowTask(user, 1, 0); // arrives while draining: must wait for another worker
    expect(await exitOf(worker)).toBe(0);
    for (const taskId of taskIds) {
      expect(completions(taskId)).toBe(1);
      expect((await tasks.status(taskId))?.status).toBe('completed');
    }
    expect((await tasks.status(queuedAfter))?.status).toBe('queued');

    const next = await startWorker();
    await waitFor(async () => (await tasks.status(queuedAfter))?.status === 'completed', 'the queued job on the next worker', 30_000, 100);
    await next.stop();
  }, 120_000);

  it('SIGTERM with a job longer than the grace: the attempt is aborted, the worker exits 0, the next worker runs the task again', async () => {
    const user = uniqueId('rel');
    const worker = await startWorker({ SHUTDOWN_GRACE_MS: '1000' });
    const taskId = await startSlowTask(user, 12, 500);
    await waitFor(() => stepsSeen(taskId) >= 1, 'the job to be running', 20_000, 50);

    worker.child.kill('SIGTERM');
    expect(await exitOf(worker)).toBe(0);
    expect(worker.output()).toContain('drain_timeout');
    expect(completions(taskId)).toBe(0);

    const next = await startWorker();
    await waitFor(() => completions(taskId) >= 1, 'the abandoned job to complete on the next worker', 60_000, 100);
    expect((await tasks.status(taskId))?.status).toBe('completed');
    await next.stop();
  }, 120_000);

  it('a running job stops at its next step when cancelled', async () => {
    const user = uniqueId('rel');
    const worker = await startWorker();
    const taskId = await startSlowTask(user, 20, 200);
    await waitFor(() => stepsSeen(taskId) >= 2, 'the job to be running', 20_000, 50);
    expect(await tasks.cancel(taskId)).toEqual({ success: true, task_id: taskId, status: 'cancelled' });
    const seenAtCancel = stepsSeen(taskId);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(stepsSeen(taskId)).toBeLessThanOrEqual(seenAtCancel + 1);
    expect((await tasks.status(taskId))?.status).toBe('cancelled');
    expect(completions(taskId)).toBe(0);
    await worker.stop();
  }, 60_000);

  it('transient errors are retried with backoff; a task failing every attempt ends failed', async () => {
    const user = uniqueId('rel');
    const worker = await startWorker();
    const recovering = uniqueId('noop');
    const hopeless = uniqueId('noop');
    await tasks.start<NoopPayload>({ type: 'noop', taskId: recovering, userId: user, companyId: 'rel-company', payload: { fail_first_attempts: 2 } });
    await tasks.start<NoopPayload>({ type: 'noop', taskId: hopeless, userId: user, companyId: 'rel-company', payload: { fail_first_attempts: 99 } });
    await waitFor(async () => (await tasks.status(recovering))?.status === 'completed', 'the third attempt to succeed', 30_000, 100);
    const attempts = (events.get(recovering) ?? []).filter((event) => event.current_step === 'started').map((event) => (event.data as { attempt: number }).attempt);
    expect(attempts).toEqual([1, 2, 3]);
    await waitFor(async () => (await tasks.status(hopeless))?.status === 'failed', 'the last attempt to fail', 30_000, 100);
    expect(await tasks.status(hopeless)).toMatchObject({ status: 'failed', error: 'transient failure on attempt 3' });
    await worker.stop();
  }, 60_000);

  it('a task longer than its max_duration is failed', async () => {
    const user = uniqueId('rel');
    const worker = await startWorker();
    const taskId = uniqueId('noop');
    await tasks.start<NoopPayload>({ type: 'noop', taskId, userId: user, companyId: 'rel-company', payload: { steps: 50, step_delay_ms: 200 }, maxDurationS: 1 });
    await waitFor(async () => (await tasks.status(taskId))?.status === 'failed', 'the task to fail', 20_000, 100);
    expect(await tasks.status(taskId)).toMatchObject({ status: 'failed', error: expect.stringContaining('max_duration') });
    await worker.stop();
  }, 60_000);
});
