import { AppConfig } from '@suite/config';
import { EventEnvelope } from '@suite/events';
import { TaskService } from '@suite/tasks';
import { ManagedProcess, spawnApp, testConfig, TestRedis, testRedisClient, uniqueId, waitFor } from '@suite/testing';
import { GatewayTestApp, startGateway } from './gateway-test-app';
import { postRpc, RpcHttpResult } from './post-rpc';

describe('TASK.* through the gateway with a real task-worker process', () => {
  let gateway: GatewayTestApp;
  let worker: ManagedProcess;
  let subscriber: TestRedis;
  let redis: TestRedis;

  beforeAll(async () => {
    gateway = await startGateway(testConfig({ UNIFIED_REGISTRY_ENABLED: 'true' }));
    worker = spawnApp('task-worker', { UNIFIED_REGISTRY_ENABLED: 'true', WORKER_QUEUES: 'computation,default' });
    subscriber = testRedisClient();
    redis = testRedisClient();
  });

  afterAll(async () => {
    subscriber.disconnect();
    redis.disconnect();
    await worker.stop();
    await gateway.close();
  });

  const call = async (method: string, args: unknown[]) => {
    const result = await postRpc(gateway.url, { method, args, user_id: 'caller' });
    return { status: result.status, data: result.body.data as never, error: result.body.error };
  };

  it('analyses a document: progress events up to completed on user:{uid}, then the result from get_task_status', async () => {
    const user = uniqueId('u');
    const jobId = uniqueId('job');
    const events: EventEnvelope[] = [];
    subscriber.on('message', (_channel, message) => events.push(JSON.parse(message)));
    await subscriber.subscribe(`user:${user}`);

    const content = 'ACME Corp. billed $1,200 on 12 March 2024.\nPayment is due in 30 days. Contact billing@acme.example with questions about the invoice.';
    const started = await call('TASK.start_document_analysis', [user, { content }, jobId]);
    expect(started.status).toBe(200);
    expect(started.data).toEqual({ success: true, task_id: `doc_analysis_${jobId}`, celery_task_id: `doc_analysis_${jobId}`, status: 'queued' });

    const taskId = `doc_analysis_${jobId}`;
    const statusOf = (event: EventEnvelope) => (event.payload as { status: string }).status;
    await waitFor(() => events.some((event) => statusOf(event) === 'completed'), 'the completed event', 60_000, 100);
    const progress = events.filter((event) => event.type === 'task.progress_update');
    expect(progress.every((event) => (event.payload as { task_id: string }).task_id === taskId && event.job_id === taskId)).toBe(true);
    const steps = progress.map((event) => (event.payload as { current_step: string }).current_step);
    expect(steps).toEqual(expect.arrayContaining(['started', 'statistics', 'sentences', 'tokens', 'keywords', 'entities', 'completed']));
    const percents = progress.map((event) => (event.payload as { progress: number }).progress);
    expect([...percents].sort((a, b) => a - b)).toEqual(percents); // progress only goes up
    expect(progress.filter((event) => statusOf(event) === 'completed')).toHaveLength(1);

    const status = await call('TASK.get_task_status', [taskId]);
    expect(status.data).toMatchObject({ task_id: taskId, status: 'completed', progress: 100, current_step: 'completed' });
    const result = (status.data as { result: { keywords: Array<{ term: string }>; entities: Array<{ type: string }>; sentences: { count: number } } }).result;
    expect(result.sentences.count).toBeGreaterThanOrEqual(2);
    expect(result.entities.map((entity) => entity.type)).toEqual(expect.arrayContaining(['MONEY', 'DATE', 'EMAIL']));
    expect((await call('TASK.list_user_tasks', [user])).data).toEqual([expect.objectContaining({ task_id: taskId, status: 'completed' })]);
  }, 90_000);

  it('a repeated start with the same job_id is one task and one job', async () => {
    const user = uniqueId('u');
    const jobId = uniqueId('job');
    const starts = await Promise.all(Array.from({ length: 5 }, () => call('TASK.start_document_analysis', [user, { content: 'Hello there.' }, jobId])));
    expect(starts.every((start) => start.status === 200)).toBe(true);
    await waitFor(async () => (await call('TASK.get_task_status', [`doc_analysis_${jobId}`])).data?.['status'] === 'completed', 'completion', 60_000, 100);
    expect((await call('TASK.list_user_tasks', [user])).data).toHaveLength(1);
  }, 90_000);

  it('timeout_ms: 1 with an idempotency_key: TIMEOUT saying it may still complete, then the retry gets the real start; one task, one job', async () => {
    const user = uniqueId('u');
    const jobId = uniqueId('job');
    const taskId = `doc_analysis_${jobId}`;
    const starts = jest.spyOn(gateway.app.get(TaskService), 'start');
    try {
      const body = { method: 'TASK.start_document_analysis', args: [user, { content: 'Hello there.' }, jobId], user_id: 'caller', timeout_ms: 1, idempotency_key: uniqueId('key') };
      const first = await postRpc(gateway.url, body);
      expect(first.status).toBe(504);
      expect(first.body.error?.code).toBe('TIMEOUT');
      expect(first.body.error?.message).toBe('the call did not finish within 1 ms; it may still complete: retry with the same idempotency_key to get its outcome');

      let retry: RpcHttpResult = first;
      await waitFor(
        async () => {
          retry = await postRpc(gateway.url, body);
          return retry.body.error?.code !== 'IDEMPOTENCY_IN_PROGRESS';
        },
        'the outcome of the start that timed out',
        10_000,
      );
      expect(retry.status).toBe(200);
      expect(retry.headers.get('idempotent-replay')).toBe('true');
      expect(retry.body.data).toEqual({ success: true, task_id: taskId, celery_task_id: taskId, status: 'queued' });
      expect(starts).toHaveBeenCalledTimes(1);

      expect(((await call('TASK.list_user_tasks', [user])).data as Array<{ task_id: string }>).map((task) => task.task_id)).toEqual([taskId]);
      const queueKey = `${gateway.app.get(AppConfig).QUEUE_PREFIX}:computation`;
      expect(await redis.exists(`${queueKey}:${taskId}`)).toBe(1);
      // BullMQ's event stream of the queue: the job was added once, and no second add was tried.
      const queueEvents = await redis.xrevrange(`${queueKey}:events`, '+', '-', 'COUNT', 10_000);
      const eventsOfJob = queueEvents.map(([, fields]) => fields).filter((fields) => fields[fields.indexOf('jobId') + 1] === taskId);
      expect(eventsOfJob.filter((fields) => fields[1] === 'added')).toHaveLength(1);
      expect(eventsOfJob.filter((fields) => fields[1] === 'duplicated')).toHaveLength(0);
    } finally {
      starts.mockRestore();
    }
  }, 30_000);

  it('invalid input fails the task at once, without retries', async () => {
    const user = uniqueId('u');
    const jobId = uniqueId('job');
    await call('TASK.start_document_analysis', [user, { title: 'no text' }, jobId]);
    await waitFor(async () => (await call('TASK.get_task_status', [`doc_analysis_${jobId}`])).data?.['status'] === 'failed', 'failure', 60_000, 100);
    expect((await call('TASK.get_task_status', [`doc_analysis_${jobId}`])).data).toMatchObject({ status: 'failed', error: expect.stringContaining('content') });
  }, 90_000);

  it('cancel_task: a queued task is removed and reported cancelled; unknown tasks are NOT_FOUND', async () => {
    expect((await call('TASK.cancel_task', ['doc_analysis_nope'])).status).toBe(404);
    expect((await call('TASK.get_task_status', ['doc_analysis_nope'])).error?.code).toBe('NOT_FOUND');
  });

  it('validates TASK parameters', async () => {
    expect((await call('TASK.start_document_analysis', ['u', 'not an object', 'j'])).error?.code).toBe('INVALID_ARGS');
    expect((await call('TASK.start_document_analysis', ['u', {}, 'bad id with spaces'])).error?.code).toBe('INVALID_ARGS');
    expect((await call('TASK.start_document_analysis', ['u', {}, 'colon:id'])).error?.code).toBe('INVALID_ARGS');
  });
});
