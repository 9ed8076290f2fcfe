import { ChatHistoryStore } from '@suite/chat-history';
import { EventEnvelope } from '@suite/events';
import { ManagedProcess, spawnApp, testConfig, testRedisClient, TestRedis, uniqueId, useIsolatedRedis, waitFor } from '@suite/testing';
import { GatewayTestApp, startGateway } from './gateway-test-app';
import { postRpc } from './post-rpc';

type Payload = Record<string, unknown>;
type Call = { status: number; data: Payload; error?: { code: string; message: string; retry_after_ms?: number } };
interface Thread {
  user: string;
  company: string;
  threadKey: string;
}
interface StoredMessage {
  id: string;
  role: string;
  content: string;
  metadata?: Payload;
}

const CONTEXT_WINDOW_TOKENS = 400;
const SETTINGS = {
  UNIFIED_REGISTRY_ENABLED: 'true',
  OPENAI_API_KEY: '',
  LLM_MAX_PROMPT_CHARS: '2000',
  LLM_CONTEXT_WINDOW_TOKENS: String(CONTEXT_WINDOW_TOKENS),
  TASK_ATTEMPTS: '3',
  TASK_RETRY_DELAY_MS: '100',
};
// A short lock: a job of a killed worker is taken over within seconds.
// A short drain grace: a worker stopped mid-answer gives the answer up within a second.
const WORKER_SETTINGS = { ...SETTINGS, WORKER_QUEUES: 'llm', WORKER_LOCK_DURATION_MS: '3000', WORKER_STALLED_INTERVAL_MS: '1000', WORKER_CONCURRENCY: '20', SHUTDOWN_GRACE_MS: '1000' };

// Every chat_answer job must reach this file's workers (the kill -9 test picks the one streaming).
useIsolatedRedis();

/**
 * LLM.send_message / stop_message end to end: two gateways, two real task-worker processes on the
 * `llm` queue, the development model server reached through the openai client.
 */
describe('LLM.send_message: two gateways, two task-workers, answers streamed as chat.message and stored once', () => {
  let gateways: GatewayTestApp[];
  let workers: ManagedProcess[] = [];
  let subscriber: TestRedis;
  const events = new Map<string, EventEnvelope<Payload>[]>();
  /** Everything each worker wrote (ManagedProcess keeps only its last lines). */
  const logs = new Map<ManagedProcess, string>();
  const logOf = (worker: ManagedProcess) => logs.get(worker) ?? '';
  const startWorker = (): ManagedProcess => {
    const worker = spawnApp('task-worker', WORKER_SETTINGS);
    logs.set(worker, '');
    const keep = (chunk: Buffer) => logs.set(worker, `${logs.get(worker)}${chunk.toString()}`);
    worker.child.stdout?.on('data', keep);
    worker.child.stderr?.on('data', keep);
    return worker;
  };
  const streamingWorker = (messageId: string) => workers.find((worker) => logOf(worker).includes(`"event":"chat_answer_start","message_id":"${messageId}"`));

  beforeAll(async () => {
    gateways = await Promise.all([startGateway(testConfig(SETTINGS)), startGateway(testConfig(SETTINGS))]);
    workers = [startWorker(), startWorker()];
    subscriber = testRedisClient();
    subscriber.on('message', (channel: string, message: string) => {
      const list = events.get(channel) ?? [];
      list.push(JSON.parse(message) as EventEnvelope<Payload>);
      events.set(channel, list);
    });
    await Promise.all(workers.map((worker) => waitFor(() => worker.output().includes('"event":"workers_started"'), 'the task-workers to start', 60_000, 100)));
  }, 90_000);

  afterAll(async () => {
    subscriber?.disconnect();
    await Promise.all((workers ?? []).map((worker) => worker.stop()));
    await Promise.all((gateways ?? []).map((gateway) => gateway.close()));
  });

  const call = async (via: number, method: string, args: unknown[]): Promise<Call> => {
    const result = await postRpc(gateways[via].url, { method, args, user_id: 'caller' });
    return { status: result.status, data: result.body.data as Payload, error: result.body.error };
  };

  const newThread = async (): Promise<Thread> => {
    const thread = { user: uniqueId('u'), company: uniqueId('c'), threadKey: uniqueId('t') };
    await subscriber.subscribe(`chat:${thread.user}:${thread.company}:${thread.threadKey}`);
    return thread;
  };
  const answerEvents = (thread: Thread, messageId: string) =>
    (events.get(`chat:${thread.user}:${thread.company}:${thread.threadKey}`) ?? []).filter((event) => event.payload['message_id'] === messageId);
  const finalOf = async (thread: Thread, messageId: string, timeoutMs = 30_000): Promise<Payload> => {
    await waitFor(() => answerEvents(thread, messageId).some((event) => event.payload['is_final'] === true), `the final event of ${messageId}`, timeoutMs, 50);
    return answerEvents(thread, messageId).find((event) => event.payload['is_final'] === true)?.payload ?? {};
  };
  const send = async (via: number, thread: Thread, message: string): Promise<string> => {
    const sent = await call(via, 'LLM.send_message', [thread.user, thread.company, thread.threadKey, message]);
    expect(sent).toMatchObject({ status: 200, data: { success: true, status: 'queued' } });
    return sent.data['message_id'] as string;
  };
  const history = async (via: number, thread: Thread): Promise<StoredMessage[]> => {
    const loaded = await call(via, 'LLM.get_chat_history', [thread.user, thread.company, thread.threadKey]);
    return ((loaded.data ?? { messages: [] }) as { messages: StoredMessage[] }).messages;
  };

  it('streams the answer in order (deltas by index, then one final event with the whole content), then stores it', async () => {
    const thread = await newThread();
    const messageId = await send(0, thread, 'What is due this week?');
    const final = await finalOf(thread, messageId);
    const all = answerEvents(thread, messageId);
    const chunks = all.filter((event) => event.payload['is_final'] === false);
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.map((event) => event.payload['index'])).toEqual(chunks.map((_event, index) => index));
    expect(all[all.length - 1].payload['is_final']).toBe(true);
    expect(all.filter((event) => event.payload['is_final'] === true)).toHaveLength(1);
    expect(all.every((event) => event.type === 'chat.message' && typeof event.id === 'string' && event.payload['role'] === 'assistant')).toBe(true);
    expect(final).toMatchObject({ content: chunks.map((event) => event.payload['delta']).join(''), finish_reason: 'stop', tokens_used: expect.any(Number) });
    expect(final['content']).toContain('(1 messages, 1 from the user): you said "What is due this week?"');

    await waitFor(async () => (await history(1, thread)).length === 2, 'the stored answer', 10_000, 50);
    const [question, answer] = await history(1, thread);
    expect(question).toMatchObject({ role: 'user', content: 'What is due this week?' });
    expect(answer).toMatchObject({ id: messageId, role: 'assistant', content: final['content'], metadata: { finish_reason: 'stop', reply_to: question.id } });
  });

  it('a chat started through one gateway continues through the other, and the model sees the whole history', async () => {
    const thread = await newThread();
    const first = await send(0, thread, 'First question');
    await finalOf(thread, first);
    await waitFor(async () => (await history(1, thread)).length === 2, 'the first answer stored', 10_000, 50);
    const second = await send(1, thread, 'Second question');
    const final = await finalOf(thread, second);
    expect(final['content']).toContain('(3 messages, 2 from the user): you said "Second question"');
    await waitFor(async () => (await history(0, thread)).length === 4, 'the second answer stored', 10_000, 50);
    expect((await history(0, thread)).map((message) => message.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
  });

  it('the model sees the context window (LLM_CONTEXT_WINDOW_TOKENS), not the whole history, which stays whole', async () => {
    const thread = await newThread();
    const words = Array.from({ length: 60 }, (_unused, index) => `word${index}`).join(' ');
    await gateways[0].app.get(ChatHistoryStore).appendMessages(
      { userId: thread.user, companyId: thread.company, threadKey: thread.threadKey },
      Array.from({ length: 20 }, (_unused, index) => ({ role: index % 2 ? 'assistant' : 'user', content: `${index} ${words}` })),
    );
    const messageId = await send(1, thread, 'And now?');
    const final = await finalOf(thread, messageId);
    const seen = Number(/\((\d+) messages/.exec(String(final['content']))?.[1]);
    expect(seen).toBeGreaterThan(0);
    expect(seen).toBeLessThan(21);
    await waitFor(async () => (await history(0, thread)).length === 22, 'the answer stored beside the whole history', 10_000, 50);
  });

  it('100 concurrent send_message calls on one thread, through both gateways: no message lost, each caller in its own order, one answer each', async () => {
    const thread = await newThread();
    const callers = ['A', 'B', 'C', 'D'];
    const ids = await Promise.all(
      callers.map(async (caller, index) => {
        const sent: string[] = [];
        for (let n = 0; n < 25; n += 1) sent.push(await send(index % 2, thread, `${caller}-${n}`));
        return sent;
      }),
    );
    await waitFor(async () => (await history(0, thread)).filter((message) => message.role === 'assistant').length === 100, 'the 100 answers stored', 120_000, 200);
    const stored = await history(1, thread);
    const questions = stored.filter((message) => message.role === 'user');
    expect(questions).toHaveLength(100);
    for (const caller of callers) {
      expect(questions.filter((message) => message.content.startsWith(`${caller}-`)).map((message) => message.content)).toEqual(Array.from({ length: 25 }, (_unused, n) => `${caller}-${n}`));
    }
    const answers = stored.filter((message) => message.role === 'assistant');
    expect(answers).toHaveLength(100);
    expect(new Set(answers.map((message) => message.id))).toEqual(new Set(ids.flat()));
  }, 180_000);

  it('stop_message through the other gateway ends the answer mid-stream; the stored message says it was stopped', async () => {
    const thread = await newThread();
    const messageId = await send(0, thread, 'Tell me everything [dev:words:400] [dev:delay:20]');
    await waitFor(() => answerEvents(thread, messageId).length >= 5, 'the answer to stream', 20_000, 20);
    expect((await call(1, 'LLM.stop_message', [thread.user, thread.company, thread.threadKey, 'not-an-answer-here'])).data).toEqual({ success: true, stopped: [] });
    const stopped = await call(1, 'LLM.stop_message', [thread.user, thread.company, thread.threadKey]);
    expect(stopped).toMatchObject({ status: 200, data: { success: true, stopped: [messageId] } });
    const final = await finalOf(thread, messageId);
    expect(final['finish_reason']).toBe('stopped');
    const chunks = answerEvents(thread, messageId).filter((event) => event.payload['is_final'] === false);
    expect(chunks.length).toBeLessThan(400);
    expect(final['content']).toBe(chunks.map((event) => event.payload['delta']).join(''));
    await waitFor(async () => (await history(1, thread)).length === 2, 'the stopped answer stored', 10_000, 50);
    expect((await history(1, thread))[1]).toMatchObject({ id: messageId, content: final['content'], metadata: { finish_reason: 'stopped' } });
  });

  it('a provider failure ends the answer with an error event naming the RPC code; nothing is stored for it', async () => {
    const thread = await newThread();
    const messageId = await send(0, thread, 'Break please [dev:500]');
    const final = await finalOf(thread, messageId);
    expect(final).toMatchObject({ finish_reason: 'error', error: { code: 'UNAVAILABLE', retry_after_ms: expect.any(Number) } });
    await waitFor(() => workers.some((worker) => logOf(worker).includes(`"event":"chat_answer_done","message_id":"${messageId}"`)), 'the answer job to end', 10_000, 50);
    expect((await history(0, thread)).map((message) => message.role)).toEqual(['user']);
    // Not retried: the user has seen the error.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const starts = workers.map((worker) => logOf(worker).split(`"event":"chat_answer_start","message_id":"${messageId}"`).length - 1);
    expect(starts.reduce((sum, count) => sum + count, 0)).toBe(1);
  });

  it('bad input is INVALID_ARGS naming the parameter; a spent hour is QUOTA_EXCEEDED with retry_after_ms, before anything is stored', async () => {
    const thread = await newThread();
    const refused = async (args: unknown[]) => (await call(0, 'LLM.send_message', [thread.user, thread.company, thread.threadKey, ...args])).error;
    expect(await refused(['x'.repeat(2001)])).toMatchObject({ code: 'INVALID_ARGS', message: expect.stringMatching(/^message is 2001 characters long; .*LLM_MAX_PROMPT_CHARS/) });
    expect(await refused(['   '])).toMatchObject({ code: 'INVALID_ARGS', message: expect.stringContaining('message') });
    // 300 words: under LLM_MAX_PROMPT_CHARS, over half of the 400-token context window.
    expect(await refused([Array.from({ length: 300 }, (_unused, index) => `w${index}`).join(' ')])).toMatchObject({ code: 'INVALID_ARGS', message: expect.stringContaining('LLM_CONTEXT_WINDOW_TOKENS') });
    expect(await refused(['hi', 'gpt-unknown'])).toMatchObject({ code: 'INVALID_ARGS', message: expect.stringContaining('LLM_ALLOWED_MODELS') });
    expect(await refused(['hi', 'gpt-4o', 3])).toMatchObject({ code: 'INVALID_ARGS', message: expect.stringContaining('temperature') });

    expect((await call(1, 'UNIFIED_REGISTRY.set_company_quotas', [thread.company, null, 1, null])).status).toBe(200);
    const first = await send(0, thread, 'One allowed');
    await finalOf(thread, first);
    const spent = await refused(['Over the quota']);
    expect(spent).toMatchObject({ code: 'QUOTA_EXCEEDED', message: expect.stringContaining('max_llm_requests_per_hour'), retry_after_ms: expect.any(Number) });
    expect((await history(1, thread)).filter((message) => message.role === 'user').map((message) => message.content)).toEqual(['One allowed']);
  });

  it('a worker stopped mid-answer past its drain grace publishes no final event; the other worker answers again, one message stored', async () => {
    const thread = await newThread();
    const messageId = await send(0, thread, 'A long one [dev:words:200] [dev:delay:20]');
    await waitFor(() => answerEvents(thread, messageId).length >= 10, 'the answer to stream', 20_000, 20);
    const draining = streamingWorker(messageId) as ManagedProcess;
    const survivor = workers.find((worker) => worker !== draining) as ManagedProcess;
    await draining.stop(15_000); // SIGTERM: the drain grace (1 s) runs out mid-answer
    expect(logOf(draining)).toContain(`"event":"chat_answer_interrupted","message_id":"${messageId}"`);

    await waitFor(() => logOf(survivor).includes(`"event":"chat_answer_done","message_id":"${messageId}"`), 'the other worker to answer', 60_000, 100);
    const finals = answerEvents(thread, messageId).filter((event) => event.payload['is_final'] === true);
    expect(finals.map((event) => event.payload['finish_reason'])).toEqual(['stop']);
    expect((await history(1, thread)).filter((message) => message.role === 'assistant').map((message) => message.id)).toEqual([messageId]);

    workers = [survivor, startWorker()];
    await waitFor(() => workers[1].output().includes('"event":"workers_started"'), 'a new task-worker to start', 60_000, 100);
  }, 120_000);

  it('kill -9 of the worker streaming an answer: the other worker answers it, and one assistant message is stored', async () => {
    const thread = await newThread();
    const messageId = await send(0, thread, 'A long one [dev:words:150] [dev:delay:20]');
    await waitFor(() => answerEvents(thread, messageId).length >= 10, 'the answer to stream', 20_000, 20);
    const streaming = streamingWorker(messageId);
    expect(streaming).toBeDefined();
    const survivor = workers.find((worker) => worker !== streaming) as ManagedProcess;
    await streaming?.kill();

    await waitFor(() => logOf(survivor).includes(`"event":"chat_answer_done","message_id":"${messageId}"`), 'the other worker to finish the answer', 60_000, 100);
    const finals = answerEvents(thread, messageId).filter((event) => event.payload['is_final'] === true);
    expect(finals).toHaveLength(1);
    expect(finals[0].payload['finish_reason']).toBe('stop');
    const answers = (await history(1, thread)).filter((message) => message.role === 'assistant');
    expect(answers.map((message) => message.id)).toEqual([messageId]);
    expect(answers[0].content).toBe(finals[0].payload['content']);
  }, 90_000);
});
