import { EventEnvelope } from '@suite/events';
import { vectorDocumentId } from '@suite/job-contracts';
import { ManagedProcess, spawnApp, testConfig, testRedisClient, TestRedis, uniqueId, waitFor } from '@suite/testing';
import { GatewayTestApp, startGateway } from './gateway-test-app';
import { postRpc } from './post-rpc';

describe('TASK.start_vector_computation with a real task-worker process', () => {
  let gateway: GatewayTestApp;
  let worker: ManagedProcess;
  let subscriber: TestRedis;

  beforeAll(async () => {
    gateway = await startGateway(testConfig({ UNIFIED_REGISTRY_ENABLED: 'true' }));
    // Batches of 100 so a task of 250 documents shows three of them.
    worker = spawnApp('task-worker', { UNIFIED_REGISTRY_ENABLED: 'true', WORKER_QUEUES: 'computation', CHROMA_MAX_BATCH_SIZE: '100', LOG_LEVEL: 'warn' });
    subscriber = testRedisClient();
  }, 60_000);

  afterAll(async () => {
    subscriber?.disconnect();
    await worker?.stop();
    await gateway?.close();
  });

  const call = async (method: string, args: unknown[], kwargs: Record<string, unknown> = {}) => {
    const result = await postRpc(gateway.url, { method, args, kwargs });
    return { status: result.status, data: result.body.data as never, error: result.body.error };
  };

  it('embeds and adds in batches with one task.progress_update per batch; the documents are then searchable', async () => {
    const [user, company] = [uniqueId('u'), uniqueId('c')];
    const collection = uniqueId('task').replace(/-/g, '_');
    const events: EventEnvelope[] = [];
    subscriber.on('message', (_channel: string, message: string) => events.push(JSON.parse(message)));
    await subscriber.subscribe(`user:${user}`);

    // Distinct texts: an HNSW graph of hundreds of identical vectors can leave a node unreachable.
    const topics = ['invoice', 'payment', 'supplier', 'contract', 'budget', 'salary', 'audit', 'tax', 'refund', 'loan', 'asset', 'pension', 'rent', 'insurance', 'dividend', 'shipping', 'customs'];
    const places = ['paris', 'lyon', 'berlin', 'madrid', 'rome', 'lisbon', 'vienna', 'prague', 'dublin', 'oslo', 'athens', 'warsaw', 'brussels', 'geneva', 'milan'];
    const documents = Array.from({ length: 249 }, (_, index) => `the ${topics[index % topics.length]} file from ${places[Math.floor(index / topics.length) % places.length]}`);
    documents.push('a kitten naps on the copier');
    const started = await call('TASK.start_vector_computation', [user, company, collection, documents]);
    expect(started.status).toBe(200);
    const taskId = (started.data as { task_id: string }).task_id;
    expect(started.data).toMatchObject({ success: true, task_id: expect.stringMatching(/^vector_[0-9a-f]{32}$/), status: 'queued', document_count: 250 });
    // The same start again is the same task (deterministic task id), not a second job.
    expect((await call('TASK.start_vector_computation', [user, company, collection, documents])).data).toMatchObject({ task_id: taskId });

    await waitFor(async () => (await call('TASK.get_task_status', [taskId])).data?.['status'] === 'completed', 'the task to complete', 120_000, 200);
    const status = await call('TASK.get_task_status', [taskId]);
    expect(status.data).toMatchObject({ status: 'completed', result: { collection_name: collection, added: 250, existing: 0, batches: 3, document_count: 250 } });
    const steps = events.filter((event) => event.type === 'task.progress_update').map((event) => (event.payload as { current_step: string }).current_step);
    expect(steps).toEqual(expect.arrayContaining(['batch 1/3', 'batch 2/3', 'batch 3/3', 'completed']));

    const answer = await call('CHROMA_VECTOR.query_documents', [collection, ['kitten naps on a copier']], { n_results: 1 });
    expect(answer.data).toMatchObject({ ids: [[vectorDocumentId(taskId, 249)]], documents: [['a kitten naps on the copier']] });
    expect((await call('CHROMA_VECTOR.get_collection_info', [collection])).data).toMatchObject({ count: 250, company_id: company });
  }, 150_000);

  it('bad input is refused at the call, naming the parameter', async () => {
    const [user, company] = [uniqueId('u'), uniqueId('c')];
    for (const [args, parameter] of [
      [[user, company, 'good_name', []], 'documents'],
      [[user, company, 'good_name', ['a', 'b'], [{ k: 1 }]], 'metadatas'],
      [[user, company, 'good_name', ['a', 'b'], null, ['x', 'x']], 'ids'],
      [[user, company, 'no', ['a']], 'collection_name'],
    ] as const) {
      const refused = await call('TASK.start_vector_computation', [...args]);
      expect({ status: refused.status, code: refused.error?.code }).toEqual({ status: 400, code: 'INVALID_ARGS' });
      expect(refused.error?.message).toContain(parameter);
    }
  });
});
