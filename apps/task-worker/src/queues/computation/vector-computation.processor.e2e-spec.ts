import { Test, TestingModule } from '@nestjs/testing';
import { ConfigModule } from '@suite/config';
import { FirebaseModule } from '@suite/firebase';
import { TaskJobData, vectorDocumentId, VectorComputationPayload } from '@suite/job-contracts';
import { RedisModule } from '@suite/redis';
import { buildQuotaStorageKey } from '@suite/redis-namespaces';
import { testConfig, testRedisClient, TestRedis, uniqueId } from '@suite/testing';
import { VectorModule, VectorStore } from '@suite/vector';
import { ProcessingContext } from '../../processing/task-processor';
import { VectorComputationProcessor } from './vector-computation.processor';

/** The processor on the real VectorStore and Chroma: an attempt that dies after its first batch, then the retry. */
describe('VectorComputationProcessor retries', () => {
  let app: TestingModule;
  let redis: TestRedis;

  beforeAll(async () => {
    const config = testConfig({ CHROMA_MAX_BATCH_SIZE: '40' });
    app = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(config), RedisModule, FirebaseModule, VectorModule],
      providers: [VectorComputationProcessor],
    }).compile();
    await app.init();
    redis = testRedisClient();
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await redis?.quit();
  });

  const job = (payload: VectorComputationPayload, company: string): TaskJobData<VectorComputationPayload> => ({
    task_id: `vector_${uniqueId('t')}`,
    task_type: 'vector_computation',
    user_id: 'u',
    company_id: company,
    max_duration: 600,
    started_at: Date.now(),
    payload,
  });

  it('a retried job adds and charges no document twice (ids fixed per task, stored ones skipped)', async () => {
    const company = uniqueId('c');
    const collection = uniqueId('retry').replace(/-/g, '_');
    const documents = Array.from({ length: 100 }, (_, index) => `expense report ${index} for the travel budget`);
    const task = job({ collection_name: collection, documents }, company);
    const processor = app.get(VectorComputationProcessor);
    const steps: string[] = [];
    const crashingAfterFirstBatch: ProcessingContext = {
      attempt: 1,
      signal: new AbortController().signal,
      step: async (_progress, currentStep) => {
        steps.push(currentStep);
        throw new Error('worker died after the first batch');
      },
    };
    await expect(processor.process(task, crashingAfterFirstBatch)).rejects.toThrow('worker died');
    const store = app.get(VectorStore);
    expect((await store.info(collection)).count).toBe(40);
    const chargedAfterFirst = Number(await redis.get(buildQuotaStorageKey(company)));

    const retry: ProcessingContext = { attempt: 2, signal: new AbortController().signal, step: async (_progress, currentStep) => void steps.push(currentStep) };
    const result = await processor.process(task, retry);
    expect(result).toEqual({ collection_name: collection, added: 60, existing: 40, batches: 2, document_count: 100 });
    expect((await store.info(collection)).count).toBe(100);
    const analysis = await store.analyze(collection);
    expect(Number(await redis.get(buildQuotaStorageKey(company)))).toBe(analysis.analysis.total_size);
    expect(chargedAfterFirst).toBeLessThan(analysis.analysis.total_size);

    // A third run of the same task: nothing added, nothing charged.
    expect(await processor.process(task, retry)).toMatchObject({ added: 0, existing: 100 });
    expect(Number(await redis.get(buildQuotaStorageKey(company)))).toBe(analysis.analysis.total_size);
    const ids = (await store.query({ collectionName: collection, queryTexts: ['travel'], nResults: 100, include: [] })).ids[0];
    expect(new Set(ids)).toEqual(new Set(documents.map((_, index) => vectorDocumentId(task.task_id, index))));
    expect(steps).toEqual(['batch 1/3', 'batch 1/2', 'batch 2/2']);
  }, 90_000);
});
