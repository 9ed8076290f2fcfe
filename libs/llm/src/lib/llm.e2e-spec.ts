import { LoggerService } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { ConfigModule } from '@suite/config';
import { EventEnvelope } from '@suite/events';
import { FirebaseModule } from '@suite/firebase';
import { ChatMessageEvent } from '@suite/job-contracts';
import { RedisModule } from '@suite/redis';
import { CompanyQuotasService } from '@suite/registry';
import { RpcError } from '@suite/rpc-contract';
import { testConfig, testRedisClient, TestRedis, uniqueId, waitFor } from '@suite/testing';
import { AnswerStops } from './answer-stops';
import { ChatAnswerStreamer } from './chat-answer-streamer';
import { LlmModule } from './llm.module';
import { LlmService } from './llm.service';
import { ChatTurn } from './model-provider';

/** Every log line the module writes, to check that no key or provider message is ever logged. */
class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown): void {
    this.lines.push(JSON.stringify(message));
  }
  warn(message: unknown): void {
    this.lines.push(JSON.stringify(message));
  }
  error(message: unknown): void {
    this.lines.push(JSON.stringify(message));
  }
}

async function llmModule(overrides: Record<string, string> = {}): Promise<{ module: TestingModule; logs: CapturingLogger }> {
  const logs = new CapturingLogger();
  const module = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(testConfig({ OPENAI_API_KEY: '', ...overrides })), RedisModule, FirebaseModule, LlmModule],
  })
    .setLogger(logs)
    .compile();
  await module.init();
  return { module, logs };
}

const ask = (content: string): ChatTurn[] => [
  { role: 'system', content: 'You are a test.' },
  { role: 'user', content },
];

async function rpcErrorOf(promise: Promise<unknown>): Promise<RpcError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof RpcError)) throw new Error(`expected an RpcError, got ${String(error)}`);
  return error;
}

describe('libs/llm against the development model server, through the real openai client', () => {
  let dev: TestingModule;
  let devLogs: CapturingLogger;
  let llm: LlmService;
  /** Short timeouts, only for the calls that are meant to time out (a loaded machine may be slow to answer the others). */
  let impatient: TestingModule;

  beforeAll(async () => {
    expect(process.env['OPENAI_BASE_URL']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    ({ module: dev, logs: devLogs } = await llmModule());
    ({ module: impatient } = await llmModule({ LLM_STREAM_IDLE_TIMEOUT_MS: '1000', LLM_REQUEST_TIMEOUT_MS: '2000' }));
    llm = dev.get(LlmService);
  });

  afterAll(async () => {
    await Promise.all([dev.close(), impatient.close()]);
  });

  it('names the development model server as the provider', () => {
    expect(llm.description).toEqual({ provider: 'development-server', base_url: process.env['OPENAI_BASE_URL'], default_model: 'gpt-4o-mini' });
    expect(devLogs.lines.join('\n')).toContain('development model server');
  });

  it('completes: a deterministic answer derived from the prompt, with the tokens used', async () => {
    const company = uniqueId('c');
    const first = await llm.complete(company, { model: 'gpt-4o-mini', messages: ask('What is the capital of France?') });
    const again = await llm.complete(company, { model: 'gpt-4o-mini', messages: ask('What is the capital of France?') });
    const other = await llm.complete(company, { model: 'gpt-4o-mini', messages: ask('Something else') });
    expect(first.content).toContain('What is the capital of France?');
    expect(again.content).toBe(first.content);
    expect(other.content).not.toBe(first.content);
    expect(first.tokensUsed).toBeGreaterThan(0);
    expect(first.finishReason).toBe('stop');
  });

  it('streams the same answer in several pieces, in order', async () => {
    const company = uniqueId('c');
    const deltas: Array<[string, number]> = [];
    const streamed = await llm.stream(company, { model: 'gpt-4o-mini', messages: ask('Tell me a story') }, (delta, index) => deltas.push([delta, index]));
    const whole = await llm.complete(company, { model: 'gpt-4o-mini', messages: ask('Tell me a story') });
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.map(([, index]) => index)).toEqual(deltas.map((_, i) => i));
    expect(deltas.map(([delta]) => delta).join('')).toBe(streamed.content);
    expect(streamed.content).toBe(whole.content);
    expect(streamed.tokensUsed).toBe(whole.tokensUsed);
  });

  it('provider 429 → RATE_LIMITED with retry_after_ms from Retry-After; 500 → UNAVAILABLE with a retry time', async () => {
    const company = uniqueId('c');
    const limited = await rpcErrorOf(llm.complete(company, { model: 'gpt-4o-mini', messages: ask('hello [dev:429:3]') }));
    expect(limited.code).toBe('RATE_LIMITED');
    expect(limited.retryAfterMs).toBe(3000);
    const limitedStream = await rpcErrorOf(llm.stream(company, { model: 'gpt-4o-mini', messages: ask('hello [dev:429:7]') }, () => undefined));
    expect(limitedStream.code).toBe('RATE_LIMITED');
    expect(limitedStream.retryAfterMs).toBe(7000);
    const down = await rpcErrorOf(llm.complete(company, { model: 'gpt-4o-mini', messages: ask('hello [dev:500]') }));
    expect(down.code).toBe('UNAVAILABLE');
    expect(down.retryAfterMs).toBe(5000);
    // Our words, never the provider's.
    expect(`${limited.message} ${down.message}`).not.toMatch(/Rate limit reached|had an error/);
    expect(devLogs.lines.join('\n')).not.toMatch(/Rate limit reached|had an error/);
  });

  it('a stream that stalls mid-answer ends as TIMEOUT after LLM_STREAM_IDLE_TIMEOUT_MS; a call that never answers after LLM_REQUEST_TIMEOUT_MS', async () => {
    const company = uniqueId('c');
    const deltas: string[] = [];
    const stalled = await rpcErrorOf(impatient.get(LlmService).stream(company, { model: 'gpt-4o-mini', messages: ask('go [dev:stall:3]') }, (delta) => deltas.push(delta)));
    expect(stalled.code).toBe('TIMEOUT');
    expect(stalled.message).toContain('LLM_STREAM_IDLE_TIMEOUT_MS');
    expect(deltas).toHaveLength(3);
    const silent = await rpcErrorOf(impatient.get(LlmService).complete(company, { model: 'gpt-4o-mini', messages: ask('go [dev:stall]') }));
    expect(silent.code).toBe('TIMEOUT');
    expect(silent.message).toContain('LLM_REQUEST_TIMEOUT_MS');
  });

  it('a refused key names OPENAI_API_KEY, and neither the key nor the provider message is returned or logged', async () => {
    const { module, logs } = await llmModule({ OPENAI_API_KEY: 'sk-wrongkey-0123456789abcdef' });
    try {
      const refused = await rpcErrorOf(module.get(LlmService).complete(uniqueId('c'), { model: 'gpt-4o-mini', messages: ask('hello') }));
      expect(refused.code).toBe('UNAVAILABLE');
      expect(refused.message).toContain('OPENAI_API_KEY');
      expect(refused.retryAfterMs).toBeUndefined();
      const everything = `${refused.message}\n${logs.lines.join('\n')}`;
      expect(everything).toContain('llm_call_failed');
      expect(everything).not.toMatch(/sk-wro|wrongkey|Incorrect API key/);
    } finally {
      await module.close();
    }
  });

  it('an allowed model the provider does not offer names LLM_MODEL / LLM_ALLOWED_MODELS; an unreachable provider is UNAVAILABLE with a retry time', async () => {
    const company = uniqueId('c');
    const unknown = await rpcErrorOf(llm.complete(company, { model: 'no-such-model', messages: ask('hello') }));
    expect(unknown.code).toBe('UNAVAILABLE');
    expect(unknown.message).toContain('"no-such-model"');
    expect(unknown.message).toContain('LLM_ALLOWED_MODELS');
    const { module } = await llmModule({ OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' });
    try {
      const unreachable = await rpcErrorOf(module.get(LlmService).complete(company, { model: 'gpt-4o-mini', messages: ask('hello') }));
      expect(unreachable.code).toBe('UNAVAILABLE');
      expect(unreachable.retryAfterMs).toBe(5000);
      expect(unreachable.message).toContain('OPENAI_BASE_URL');
    } finally {
      await module.close();
    }
  });

  it('max_llm_requests_per_hour: concurrent calls never pass the limit together; refusals are QUOTA_EXCEEDED until the next hour', async () => {
    const company = uniqueId('c');
    await dev.get(CompanyQuotasService).set(company, { max_llm_requests_per_hour: 3 });
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => llm.complete(company, { model: 'gpt-4o-mini', messages: ask('count me') })));
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(3);
    const refusals = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected').map((outcome) => outcome.reason as RpcError);
    expect(refusals.map((error) => error.code)).toEqual(Array(5).fill('QUOTA_EXCEEDED'));
    const untilNextHour = 3_600_000 - (Date.now() % 3_600_000);
    for (const refusal of refusals) {
      expect(refusal.retryAfterMs).toBeGreaterThan(0);
      expect(refusal.retryAfterMs).toBeLessThanOrEqual(untilNextHour + 1000);
    }
    // Streams take from the same budget.
    expect((await rpcErrorOf(llm.stream(company, { model: 'gpt-4o-mini', messages: ask('count me') }, () => undefined))).code).toBe('QUOTA_EXCEEDED');
  });

  describe('chat answers streamed as chat.message events', () => {
    let subscriber: TestRedis;
    const received = new Map<string, Array<EventEnvelope<ChatMessageEvent>>>();

    beforeAll(() => {
      subscriber = testRedisClient();
      subscriber.on('message', (channel: string, message: string) => {
        const list = received.get(channel) ?? [];
        list.push(JSON.parse(message) as EventEnvelope<ChatMessageEvent>);
        received.set(channel, list);
      });
    });

    afterAll(() => subscriber.disconnect());

    const thread = async () => {
      const user = uniqueId('u');
      const company = uniqueId('c');
      const threadKey = uniqueId('t');
      const channel = `chat:${user}:${company}:${threadKey}`;
      await subscriber.subscribe(channel);
      return { user, company, threadKey, channel, events: () => received.get(channel) ?? [] };
    };

    it('streams the chunks in order on chat:{uid}:{cid}:{thread}, then one final event with the whole content and tokens_used', async () => {
      const { user, company, threadKey, events } = await thread();
      const answer = await dev.get(ChatAnswerStreamer).stream({ userId: user, companyId: company, threadKey, messageId: 'm1', model: 'gpt-4o-mini', messages: ask('Hello model') });
      await waitFor(() => events().some((event) => event.payload.is_final), 'the final chat.message');
      const chunks = events().filter((event) => !event.payload.is_final);
      const finals = events().filter((event) => event.payload.is_final);
      expect(events().every((event) => event.type === 'chat.message' && event.uid === user && typeof event.id === 'string')).toBe(true);
      expect(finals).toHaveLength(1);
      expect(events().at(-1)).toBe(finals[0]);
      expect(chunks.length).toBeGreaterThan(3);
      expect(chunks.map((event) => (event.payload as { index: number }).index)).toEqual(chunks.map((_, i) => i));
      expect(chunks.every((event) => event.payload.message_id === 'm1' && event.payload.role === 'assistant')).toBe(true);
      const text = chunks.map((event) => (event.payload as { delta: string }).delta).join('');
      expect(finals[0].payload).toEqual({ message_id: 'm1', role: 'assistant', content: text, is_final: true, tokens_used: answer.tokensUsed, finish_reason: 'stop' });
      expect(answer.content).toBe(text);
    });

    it('a stop mid-answer ends the stream with a final event that says it was stopped', async () => {
      const { user, company, threadKey, events } = await thread();
      const stop = new AbortController();
      const answering = dev.get(ChatAnswerStreamer).stream({
        userId: user,
        companyId: company,
        threadKey,
        messageId: 'm2',
        model: 'gpt-4o-mini',
        messages: ask('A long one [dev:words:200] [dev:delay:20]'),
        signal: stop.signal,
      });
      await waitFor(() => events().length >= 3, 'a few chunks');
      stop.abort();
      const answer = await answering;
      expect(answer.finishReason).toBe('stopped');
      await waitFor(() => events().some((event) => event.payload.is_final), 'the final chat.message');
      const final = events().at(-1)?.payload as { content: string; finish_reason: string };
      expect(final.finish_reason).toBe('stopped');
      expect(answer.chunks).toBeLessThan(200);
      expect(final.content).toBe(answer.content);
    });

    it('a stop asked on another instance (AnswerStops) stops the answer streaming here; a stop that came first stops it at once', async () => {
      const { module: otherInstance } = await llmModule();
      try {
        const { user, company, threadKey, events } = await thread();
        const answering = dev.get(ChatAnswerStreamer).stream({ userId: user, companyId: company, threadKey, messageId: 'm4', model: 'gpt-4o-mini', messages: ask('Long [dev:words:300] [dev:delay:20]') });
        await waitFor(() => events().length >= 3, 'a few chunks');
        await otherInstance.get(AnswerStops).requestStop('m4');
        const answer = await answering;
        expect(answer.finishReason).toBe('stopped');
        expect(answer.chunks).toBeLessThan(300);
        await waitFor(() => events().some((event) => event.payload.is_final), 'the final chat.message');
        expect(events().at(-1)?.payload).toMatchObject({ message_id: 'm4', is_final: true, finish_reason: 'stopped', content: answer.content });

        await otherInstance.get(AnswerStops).requestStop('m5');
        const early = await dev.get(ChatAnswerStreamer).stream({ userId: user, companyId: company, threadKey, messageId: 'm5', model: 'gpt-4o-mini', messages: ask('Long [dev:words:300] [dev:delay:20]') });
        expect(early.finishReason).toBe('stopped');
        expect(early.chunks).toBeLessThan(300);
      } finally {
        await otherInstance.close();
      }
    });

    it('a provider failure mid-answer still ends with one final event carrying the error code, and rethrows it', async () => {
      const { user, company, threadKey, events } = await thread();
      const error = await rpcErrorOf(
        impatient.get(ChatAnswerStreamer).stream({ userId: user, companyId: company, threadKey, messageId: 'm3', model: 'gpt-4o-mini', messages: ask('stall please [dev:stall:2]') }),
      );
      expect(error.code).toBe('TIMEOUT');
      await waitFor(() => events().some((event) => event.payload.is_final), 'the final chat.message');
      expect(events().filter((event) => !event.payload.is_final)).toHaveLength(2);
      expect(events().at(-1)?.payload).toMatchObject({ is_final: true, finish_reason: 'error', error: { code: 'TIMEOUT' } });
    });
  });
});
