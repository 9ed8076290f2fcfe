import { EventEnvelope } from '@suite/events';
import { ManagedProcess, spawnApp, testConfig, testRedisClient, TestRedis, uniqueId, waitFor } from '@suite/testing';
import { GatewayTestApp, startGateway } from './gateway-test-app';
import { postRpc } from './post-rpc';

type Payload = Record<string, unknown>;

/**
 * Seed 000's LLMService end to end: the gateway queues the conversation, a real task-worker
 * process calls the development model server through the openai client, publishes progress and
 * stores the conversation.
 */
describe('LLM conversations through the gateway, a real task-worker and the development model server', () => {
  let gateway: GatewayTestApp;
  let worker: ManagedProcess;
  let subscriber: TestRedis;
  let redis: TestRedis;
  const events = new Map<string, EventEnvelope<Payload>[]>();

  beforeAll(async () => {
    const settings = { UNIFIED_REGISTRY_ENABLED: 'true', OPENAI_API_KEY: '', LLM_MAX_PROMPT_CHARS: '500', TASK_ATTEMPTS: '2', TASK_RETRY_DELAY_MS: '100' };
    gateway = await startGateway(testConfig(settings));
    worker = spawnApp('task-worker', { ...settings, WORKER_QUEUES: 'llm' });
    subscriber = testRedisClient();
    redis = testRedisClient();
    subscriber.on('message', (channel: string, message: string) => {
      const list = events.get(channel) ?? [];
      list.push(JSON.parse(message) as EventEnvelope<Payload>);
      events.set(channel, list);
    });
  });

  afterAll(async () => {
    subscriber.disconnect();
    redis.disconnect();
    await worker.stop();
    await gateway.close();
  });

  const call = async (method: string, args: unknown[] | Record<string, unknown>) => {
    const result = await postRpc(gateway.url, Array.isArray(args) ? { method, args, user_id: 'caller' } : { method, kwargs: args, user_id: 'caller' });
    return { status: result.status, data: result.body.data as Payload, error: result.body.error };
  };

  const watchUser = async () => {
    const user = uniqueId('u');
    await subscriber.subscribe(`user:${user}`);
    return { user, received: () => events.get(`user:${user}`) ?? [] };
  };

  it('TASK.start_llm_conversation: progress 10/30/80/100, llm.conversation_complete, the stored conversation and its status', async () => {
    const { user, received } = await watchUser();
    const company = uniqueId('c');
    const started = await call('TASK.start_llm_conversation', [user, company, 'What is our invoice backlog?', 'gpt-4o', 0.2]);
    expect(started.status).toBe(200);
    expect(started.data).toEqual({ success: true, conversation_id: expect.stringMatching(/^conv_[0-9a-f]{12}$/), task_id: `llm_${started.data['conversation_id']}`, celery_task_id: `llm_${started.data['conversation_id']}`, status: 'queued' });
    const conversationId = started.data['conversation_id'] as string;
    const taskId = started.data['task_id'] as string;

    await waitFor(() => received().some((event) => event.type === 'llm.conversation_complete'), 'llm.conversation_complete', 60_000, 100);
    await waitFor(() => received().some((event) => event.type === 'task.progress_update' && event.payload['status'] === 'completed'), 'the completed task', 30_000, 100);
    const updates = received().filter((event) => event.type === 'llm.conversation_update');
    expect(updates.map((event) => [event.payload['status'], event.payload['progress']])).toEqual([
      ['started', 10],
      ['calling_llm', 30],
      ['processing_response', 80],
      ['completed', 100],
    ]);
    expect(updates.every((event) => event.payload['conversation_id'] === conversationId && event.job_id === taskId)).toBe(true);
    const complete = received().filter((event) => event.type === 'llm.conversation_complete');
    expect(complete).toHaveLength(1);
    const response = complete[0].payload['response'] as string;
    expect(complete[0].payload).toEqual({ conversation_id: conversationId, response: expect.stringContaining('What is our invoice backlog?'), tokens_used: expect.any(Number) });
    expect(complete[0].payload['tokens_used']).toBeGreaterThan(0);
    const progress = received().filter((event) => event.type === 'task.progress_update');
    expect(progress.map((event) => event.payload['current_step'])).toEqual(expect.arrayContaining(['started', 'initializing', 'calling_llm', 'processing_response', 'completed']));
    expect(progress.every((event) => event.payload['task_id'] === taskId)).toBe(true);

    const key = `conversation:${company}:${user}:${conversationId}`;
    const stored = await redis.hgetall(key);
    expect(JSON.parse(stored['data'])).toEqual({
      conversation_id: conversationId,
      user_id: user,
      company_id: company,
      prompt: 'What is our invoice backlog?',
      response,
      model: 'gpt-4o',
      temperature: 0.2,
      timestamp: expect.any(String),
      tokens_used: complete[0].payload['tokens_used'],
    });
    expect(Number(stored['created_at'])).toBeGreaterThan(Date.now() / 1000 - 120);
    expect(await redis.ttl(key)).toBeGreaterThan(86_400 - 60);

    const status = await call('LLM.get_conversation_status', [conversationId]);
    expect(status.data).toMatchObject({ success: true, conversation_id: conversationId, task_id: taskId, status: 'completed', progress: 100, response, model: 'gpt-4o' });
    expect((await call('TASK.get_task_status', [taskId])).data).toMatchObject({ status: 'completed', result: { conversation_id: conversationId, response } });
  }, 90_000);

  it('LLM.start_conversation is the same path, with the configured model and seed 000’s temperature by default', async () => {
    const { user } = await watchUser();
    const company = uniqueId('c');
    const started = await call('LLM.start_conversation', { user_id: user, company_id: company, prompt: 'Hello' });
    expect(started.data).toMatchObject({ success: true, status: 'queued' });
    const conversationId = started.data['conversation_id'] as string;
    await waitFor(async () => (await call('LLM.get_conversation_status', [conversationId])).data['status'] === 'completed', 'completion', 60_000, 100);
    const stored = JSON.parse((await redis.hget(`conversation:${company}:${user}:${conversationId}`, 'data')) ?? '{}') as Payload;
    expect(stored).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.7 });
  }, 90_000);

  it('refuses bad input with INVALID_ARGS naming the parameter', async () => {
    const cases: Array<[unknown[], RegExp]> = [
      [['u1', 'c1', 'hi', 'gpt-4o', 2.5], /temperature/],
      [['u1', 'c1', 'hi', 'gpt-4o', -1], /temperature/],
      [['u1', 'c1', 'hi', 'o1-pro'], /^model "o1-pro".*LLM_ALLOWED_MODELS/],
      [['u1', 'c1', 'x'.repeat(501)], /^prompt .*LLM_MAX_PROMPT_CHARS/],
      [['u1', 'c1', '   '], /^prompt/],
      [['u1', 'c1'], /prompt/],
    ];
    for (const method of ['TASK.start_llm_conversation', 'LLM.start_conversation']) {
      for (const [args, message] of cases) {
        const refused = await call(method, args);
        expect([refused.status, refused.error?.code]).toEqual([400, 'INVALID_ARGS']);
        expect(refused.error?.message).toMatch(message);
      }
    }
    expect((await call('LLM.get_conversation_status', ['conv_000000000000'])).error?.code).toBe('NOT_FOUND');
  });

  it('max_llm_requests_per_hour: concurrent conversations are held to the limit (at start or at the model call); a spent hour refuses at start with QUOTA_EXCEEDED to the next window', async () => {
    const { user, received } = await watchUser();
    const company = uniqueId('c');
    expect((await call('UNIFIED_REGISTRY.set_company_quotas', { company_id: company, max_llm_requests_per_hour: 2 })).status).toBe(200);
    // Three starts at once usually all pass the early check (nothing spent yet), and the model
    // calls in the worker admit two; a start that comes after two calls were taken is refused at once.
    const starts = await Promise.all([1, 2, 3].map((n) => call('TASK.start_llm_conversation', [user, company, `question ${n}`])));
    const refusedAtStart = starts.filter((start) => start.status === 429);
    expect(refusedAtStart.every((start) => start.error?.code === 'QUOTA_EXCEEDED')).toBe(true);
    const ids = starts.filter((start) => start.status === 200).map((start) => start.data['conversation_id'] as string);
    const statuses = async () => Promise.all(ids.map(async (id) => (await call('LLM.get_conversation_status', [id])).data));
    await waitFor(async () => (await statuses()).every((status) => status['status'] === 'completed' || status['status'] === 'failed'), 'the conversations to end', 60_000, 100);
    const ended = await statuses();
    expect(ended.filter((status) => status['status'] === 'completed')).toHaveLength(2);
    const failed = ended.filter((status) => status['status'] === 'failed');
    expect(failed.length + refusedAtStart.length).toBe(1);
    for (const status of failed) expect(status['error']).toMatch(/^QUOTA_EXCEEDED: max_llm_requests_per_hour \(2\)/);
    if (failed.length > 0) {
      await waitFor(() => received().some((event) => event.type === 'llm.conversation_update' && event.payload['status'] === 'failed'), 'the failed update');
    }

    const refused = await call('TASK.start_llm_conversation', [user, company, 'one more']);
    expect([refused.status, refused.error?.code]).toEqual([429, 'QUOTA_EXCEEDED']);
    const untilNextHour = 3_600_000 - (Date.now() % 3_600_000);
    expect(refused.error?.retry_after_ms).toBeGreaterThan(0);
    expect(refused.error?.retry_after_ms).toBeLessThanOrEqual(untilNextHour + 1000);
  }, 90_000);

  it('a provider 429 fails the conversation (after its retries) with RATE_LIMITED, published as a failed llm.conversation_update', async () => {
    const { user, received } = await watchUser();
    const company = uniqueId('c');
    const started = await call('TASK.start_llm_conversation', [user, company, 'please [dev:429:1]']);
    const conversationId = started.data['conversation_id'] as string;
    await waitFor(async () => (await call('LLM.get_conversation_status', [conversationId])).data['status'] === 'failed', 'the failure', 60_000, 100);
    const status = await call('LLM.get_conversation_status', [conversationId]);
    expect(status.data['error']).toMatch(/^RATE_LIMITED: /);
    expect(status.data['error']).not.toMatch(/Rate limit reached/);
    await waitFor(() => received().some((event) => event.type === 'llm.conversation_update' && event.payload['status'] === 'failed'), 'the failed update');
    const failed = received().filter((event) => event.type === 'llm.conversation_update' && event.payload['status'] === 'failed');
    expect(failed).toHaveLength(1); // the first attempt was retried, not reported as the end
    expect(failed[0].payload['data']).toMatchObject({ error: expect.stringMatching(/^RATE_LIMITED/), retry_after_ms: 1000 });
    expect(received().filter((event) => event.type === 'llm.conversation_update' && event.payload['status'] === 'started')).toHaveLength(2);
    expect(received().some((event) => event.type === 'llm.conversation_complete')).toBe(false);
  }, 90_000);
});
