import { Test, TestingModule } from '@nestjs/testing';
import { ConfigModule } from '@suite/config';
import { MetricsModule, MetricsService } from '@suite/metrics';
import { RedisModule } from '@suite/redis';
import { testConfig, testRedisClient, TestRedis, uniqueId, keyspaceScans, useIsolatedRedis } from '@suite/testing';
import { encodeChat } from 'gpt-tokenizer/encoding/o200k_base';
import { ChatHistoryInputError } from './chat-history.errors';
import { ChatHistoryModule } from './chat-history.module';
import { ChatHistoryStore, ChatThreadRef } from './chat-history.store';

async function chatModule(overrides: Record<string, string> = {}): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(testConfig(overrides)), RedisModule, MetricsModule, ChatHistoryModule],
  }).compile();
  await moduleRef.init();
  return moduleRef;
}

const newThread = (): ChatThreadRef => ({ userId: uniqueId('u'), companyId: uniqueId('c'), threadKey: uniqueId('t') });
const keyOf = (thread: ChatThreadRef) => `chat:${thread.userId}:${thread.companyId}:${thread.threadKey}:history`;

/** Calls served so far per command, summed over every master (`INFO commandstats` counts the commands a Lua script calls too). */
async function commandCalls(redis: TestRedis): Promise<Map<string, number>> {
  const calls = new Map<string, number>();
  for (const node of 'nodes' in redis ? redis.nodes('master') : [redis]) {
    for (const [, command, count] of (await node.info('commandstats')).matchAll(/^cmdstat_([\w|]+):calls=(\d+)/gm)) {
      calls.set(command, (calls.get(command) ?? 0) + Number(count));
    }
  }
  return calls;
}

/** Commands of the connections themselves (and of these readings), not of the code under test. */
const CONNECTION_COMMANDS = new Set(['info', 'cluster', 'ping', 'client', 'hello', 'command', 'select', 'readonly', 'auth']);
/** Every command that reads stored messages (or the whole hash, or a blob holding them). */
const MESSAGE_READS = ['hgetall', 'hvals', 'hkeys', 'hmget', 'hscan', 'hrandfield', 'get', 'mget', 'getrange', 'lrange', 'lindex', 'zrange', 'xrange', 'dump'];

describe('ChatHistoryStore against real Redis', () => {
  let one: TestingModule;
  let two: TestingModule;
  let small: TestingModule;
  let store: ChatHistoryStore;
  let other: ChatHistoryStore;
  let plain: TestRedis;

  beforeAll(async () => {
    [one, two, small] = await Promise.all([chatModule(), chatModule(), chatModule({ CHAT_HISTORY_MAX_MESSAGES: '5', CHAT_MESSAGE_MAX_CHARS: '100' })]);
    store = one.get(ChatHistoryStore);
    other = two.get(ChatHistoryStore);
    plain = testRedisClient();
  });

  afterAll(async () => {
    plain.disconnect();
    await Promise.all([one.close(), two.close(), small.close()]);
  });

  it('appends user and assistant messages with ids and a growing seq; loads the seed fields; 24 h TTL refreshed by each append', async () => {
    const thread = newThread();
    expect(await store.chatExists(thread)).toBe(false);
    expect(await store.loadChatHistory(thread)).toBeNull();
    const question = await store.appendUserMessage(thread, 'Hello, world! Bonjour le monde.', { id: 'msg-1' });
    expect(question).toMatchObject({ id: 'msg-1', seq: 1, role: 'user', content: 'Hello, world! Bonjour le monde.', tokens: 8 + 4 });
    await plain.expire(keyOf(thread), 50);
    const answer = await other.appendAssistantMessage(thread, 'Hi!', { metadata: { model: 'gpt-4o' } });
    expect(answer).toMatchObject({ seq: 2, role: 'assistant', id: expect.stringMatching(/^[0-9a-f-]{36}$/), metadata: { model: 'gpt-4o' } });
    const ttl = await plain.ttl(keyOf(thread));
    expect(ttl).toBeGreaterThan(86_400 - 5);
    expect(ttl).toBeLessThanOrEqual(86_400);

    const history = await other.loadChatHistory(thread);
    expect(history).toMatchObject({
      thread_key: thread.threadKey,
      system_prompt: '',
      metadata: {},
      status: 'active',
      message_count: 2,
      version: '2.0',
      updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(history?.messages.map((message) => [message.seq, message.id, message.role])).toEqual([
      [1, 'msg-1', 'user'],
      [2, answer.id, 'assistant'],
    ]);
    expect(await store.getMessageCount(thread)).toBe(2);
    expect(await store.chatExists(thread)).toBe(true);
    expect(await plain.type(keyOf(thread))).toBe('hash');
  });

  it('a batch append keeps its order; get_messages reads all or the newest N', async () => {
    const thread = newThread();
    const outcome = await store.appendMessages(thread, ['a', 'b', 'c', 'd'].map((content, index) => ({ role: index % 2 ? 'assistant' : 'user', content })));
    expect(outcome).toMatchObject({ message_count: 4, trimmed: 0 });
    expect(outcome.messages.map((message) => message.seq)).toEqual([1, 2, 3, 4]);
    expect((await store.getMessages(thread)).map((message) => message.content)).toEqual(['a', 'b', 'c', 'd']);
    expect((await store.getMessages(thread, 2)).map((message) => message.content)).toEqual(['c', 'd']);
    expect(await store.getMessages(newThread())).toEqual([]);
  });

  it('trims the oldest messages past CHAT_HISTORY_MAX_MESSAGES in the append itself', async () => {
    const trimming = small.get(ChatHistoryStore);
    const thread = newThread();
    await trimming.appendMessages(thread, ['1', '2', '3'].map((content) => ({ role: 'user', content })));
    const outcome = await trimming.appendMessages(thread, ['4', '5', '6', '7'].map((content) => ({ role: 'user', content })));
    expect(outcome).toMatchObject({ message_count: 5, trimmed: 2 });
    expect((await trimming.getMessages(thread)).map((message) => [message.seq, message.content])).toEqual([
      [3, '3'],
      [4, '4'],
      [5, '5'],
      [6, '6'],
      [7, '7'],
    ]);
    expect(await plain.hexists(keyOf(thread), 'm:2')).toBe(0);
    expect(await plain.hlen(keyOf(thread))).toBeLessThan(30);
    expect(await trimming.estimateTokenCount(thread)).toBe(encodeChat(['3', '4', '5', '6', '7'].map((content) => ({ role: 'user' as const, content })), 'gpt-4o').length);
  });

  it('appendMessageOnce stores one message per id, from two instances at once, never into a deleted chat; the marker goes with a trimmed message', async () => {
    const thread = newThread();
    await store.appendUserMessage(thread, 'question');
    const outcomes = await Promise.all([store, other, store, other].map((instance, attempt) => instance.appendMessageOnce(thread, { role: 'assistant', id: 'answer-1', content: `answer attempt ${attempt}` })));
    expect(outcomes.map((outcome) => outcome.outcome).sort()).toEqual(['appended', 'duplicate', 'duplicate', 'duplicate']);
    expect(new Set(outcomes.map((outcome) => outcome.seq))).toEqual(new Set([2]));
    const stored = await store.getMessages(thread);
    expect(stored.map((message) => [message.id, message.role])).toEqual([expect.arrayContaining(['user']), ['answer-1', 'assistant']]);
    expect(await other.hasMessageOnce(thread, 'answer-1')).toBe(true);
    expect(await plain.ttl(keyOf(thread))).toBeGreaterThan(86_000);

    const trimming = small.get(ChatHistoryStore);
    const short = newThread();
    expect(await trimming.appendMessageOnce(short, { role: 'assistant', id: 'old-answer', content: 'old' })).toEqual({ seq: 0, outcome: 'no_chat' });
    expect(await trimming.chatExists(short)).toBe(false);
    await trimming.appendUserMessage(short, 'question');
    await trimming.appendMessageOnce(short, { role: 'assistant', id: 'old-answer', content: 'old' });
    await trimming.appendMessages(short, ['1', '2', '3', '4', '5'].map((content) => ({ role: 'user', content })));
    expect(await trimming.hasMessageOnce(short, 'old-answer')).toBe(false);
    expect(await plain.hexists(keyOf(short), 'once:old-answer')).toBe(0);
  });

  it('100 concurrent appends from two instances: none lost, each caller in its own order', async () => {
    const thread = newThread();
    const writers = ['A', 'B', 'C', 'D'];
    await Promise.all(
      writers.map(async (writer, index) => {
        const instance = index % 2 === 0 ? store : other;
        const appends = Array.from({ length: 25 }, (_, n) => instance.appendUserMessage(thread, `${writer}-${n}`));
        await Promise.all(appends);
      }),
    );
    const messages = await other.getMessages(thread);
    expect(messages).toHaveLength(100);
    expect(new Set(messages.map((message) => message.seq)).size).toBe(100);
    for (const writer of writers) {
      const own = messages.filter((message) => message.content.startsWith(`${writer}-`)).map((message) => Number(message.content.split('-')[1]));
      expect(own).toEqual(Array.from({ length: 25 }, (_, n) => n));
    }
  });

  it('system prompt, status and metadata are updated in place; clear keeps the system prompt', async () => {
    const thread = newThread();
    await store.updateSystemPrompt(thread, 'You are a careful accountant.');
    await Promise.all([store.updateMetadata(thread, { chat_mode: 'general_chat' }), other.updateMetadata(thread, { provider: 'openai' })]);
    await store.updateStatus(thread, 'archived');
    await store.appendMessages(thread, [
      { role: 'user', content: 'one' },
      { role: 'assistant', content: 'two' },
    ]);
    expect(await store.clearMessages(thread)).toBe(2);
    const history = await other.loadChatHistory(thread);
    expect(history).toMatchObject({
      system_prompt: 'You are a careful accountant.',
      metadata: { chat_mode: 'general_chat', provider: 'openai' },
      status: 'archived',
      message_count: 0,
      messages: [],
    });
    const next = await store.appendUserMessage(thread, 'three');
    expect(next.seq).toBe(3);
    expect(await store.clearMessages(newThread())).toBeNull();
    await expect(store.updateStatus(thread, 'bad status!')).rejects.toMatchObject({ parameter: 'status' });
  });

  it('save_chat_history replaces the whole chat; delete removes it and its index entry', async () => {
    const thread = newThread();
    await store.appendMessages(thread, [{ role: 'user', content: 'old' }]);
    await store.updateMetadata(thread, { stale: true });
    const saved = await store.saveChatHistory(thread, {
      system_prompt: 'sys',
      status: 'active',
      metadata: { provider: 'openai' },
      messages: [
        { role: 'user', content: 'new 1' },
        { role: 'assistant', content: 'new 2' },
      ],
    });
    expect(saved.messages.map((message) => message.seq)).toEqual([1, 2]);
    expect(await store.loadChatHistory(thread)).toMatchObject({ system_prompt: 'sys', metadata: { provider: 'openai' }, message_count: 2 });
    expect((await store.getMessages(thread)).map((message) => message.content)).toEqual(['new 1', 'new 2']);
    expect(await store.deleteChatHistory(thread)).toBe(true);
    expect(await store.chatExists(thread)).toBe(false);
    expect(await store.listUserChats(thread.userId, thread.companyId)).toEqual([]);
  });

  it('estimate_token_count matches known o200k counts and gpt-tokenizer encodeChat of the stored chat', async () => {
    expect(store.countTokens('Hello, world! Bonjour le monde.')).toBe(8);
    const thread = newThread();
    expect(await store.estimateTokenCount(thread)).toBe(0);
    const chat = [
      { role: 'system' as const, content: 'You are a careful accountant.' },
      { role: 'user' as const, content: 'Hello, world! Bonjour le monde.' },
      { role: 'assistant' as const, content: 'Bonjour ! Comment puis-je vous aider avec vos factures ?' },
    ];
    await store.updateSystemPrompt(thread, chat[0].content);
    await store.appendMessages(thread, chat.slice(1));
    expect(await store.estimateTokenCount(thread)).toBe(encodeChat(chat, 'gpt-4o').length);
  });

  it('context_window gives the newest messages that fit the budget, keeps the system prompt, and leaves the history whole', async () => {
    const thread = newThread();
    await store.updateSystemPrompt(thread, 'System rules.');
    const contents = Array.from({ length: 10 }, (_, index) => `message number ${index} with a few words`);
    await store.appendMessages(thread, contents.map((content) => ({ role: 'user', content })));
    const perMessage = store.countTokens(contents[0]) + 4;
    const systemCost = store.countTokens('System rules.') + 4;
    const budget = systemCost + 3 + perMessage * 3 + 1;

    const window = await other.contextWindow(thread, budget);
    expect(window?.system_prompt).toBe('System rules.');
    expect(window?.messages.map((message) => message.content)).toEqual(contents.slice(7));
    expect(window?.omitted_messages).toBe(7);
    expect(window?.total_tokens).toBe(encodeChat([{ role: 'system', content: 'System rules.' }, ...contents.slice(7).map((content) => ({ role: 'user' as const, content }))], 'gpt-4o').length);
    expect(window?.total_tokens).toBeLessThanOrEqual(budget);
    expect(await store.getMessageCount(thread)).toBe(10);

    const tiny = await store.contextWindow(thread, 5);
    expect(tiny).toMatchObject({ system_prompt: 'System rules.', messages: [], omitted_messages: 10 });
    const all = await store.contextWindow(thread, 1_000_000);
    expect(all?.messages).toHaveLength(10);
    // Up to a given message (seq 4): what the chat held when it was written.
    const throughFourth = await store.contextWindow(thread, budget, 4);
    expect(throughFourth?.messages.map((message) => message.seq)).toEqual([2, 3, 4]);
    expect(await store.contextWindow(newThread(), 100)).toBeNull();
    await expect(store.contextWindow(thread, -1)).rejects.toMatchObject({ parameter: 'budget' });
  });

  it('lists a user threads newest first and their stats without KEYS or SCAN', async () => {
    const thread = newThread();
    const sibling = { ...thread, threadKey: uniqueId('t') };
    const third = { ...thread, threadKey: uniqueId('t') };
    await store.appendMessages(thread, [{ role: 'user', content: 'x' }]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await other.appendMessages(sibling, [
      { role: 'user', content: 'y' },
      { role: 'assistant', content: 'z' },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store.ensureChat(third);
    await store.updateStatus(third, 'archived');

    const scans = await keyspaceScans(plain);
    const chats = await other.listUserChats(thread.userId, thread.companyId);
    const stats = await store.getChatStats(thread.userId, thread.companyId);
    expect(await keyspaceScans(plain)).toBe(scans);
    expect(chats.map((chat) => [chat.thread_key, chat.message_count, chat.status])).toEqual([
      [third.threadKey, 0, 'archived'],
      [sibling.threadKey, 2, 'active'],
      [thread.threadKey, 1, 'active'],
    ]);
    expect(stats).toEqual({ total_chats: 3, total_messages: 3, chats_by_status: { active: 2, archived: 1 } });

    await plain.del(keyOf(thread)); // expired
    expect((await store.listUserChats(thread.userId, thread.companyId)).map((chat) => chat.thread_key)).toEqual([third.threadKey, sibling.threadKey]);
  });

  it('counts appends and trims on MetricsService.registry', async () => {
    const trimming = small.get(ChatHistoryStore);
    await trimming.appendMessages(newThread(), Array.from({ length: 7 }, () => ({ role: 'user' as const, content: 'm' })));
    const text = await small.get(MetricsService).registry.metrics();
    expect(text).toMatch(/chat_messages_appended_total\{role="user"\} \d+/);
    expect(text).toMatch(/chat_messages_trimmed_total [1-9]/);
  });

  it('refuses empty or oversized messages, unknown roles and ids that would break the key', async () => {
    const limited = small.get(ChatHistoryStore);
    const thread = newThread();
    await expect(limited.appendUserMessage(thread, '   ')).rejects.toMatchObject({ parameter: 'message' });
    await expect(limited.appendUserMessage(thread, 'x'.repeat(101))).rejects.toMatchObject({ parameter: 'message' });
    await expect(limited.appendMessages(thread, [])).rejects.toMatchObject({ parameter: 'messages' });
    await expect(limited.appendMessage(thread, { role: 'robot' as never, content: 'x' })).rejects.toMatchObject({ parameter: 'role' });
    await expect(limited.appendUserMessage({ ...thread, threadKey: 'a:b' }, 'x')).rejects.toBeInstanceOf(ChatHistoryInputError);
    await expect(limited.appendUserMessage({ ...thread, userId: 'u{1}' }, 'x')).rejects.toMatchObject({ parameter: 'user_id' });
    expect(await limited.chatExists(thread)).toBe(false);
  });
});

describe('ChatHistoryStore append cost, on a Redis of its own', () => {
  // A Redis no other test file uses, so command counts are this file's alone.
  useIsolatedRedis();
  let moduleRef: TestingModule;
  let store: ChatHistoryStore;
  let plain: TestRedis;

  beforeAll(async () => {
    moduleRef = await chatModule({ CHAT_HISTORY_MAX_MESSAGES: '10000' });
    store = moduleRef.get(ChatHistoryStore);
    plain = testRedisClient();
  });

  afterAll(async () => {
    plain.disconnect();
    await moduleRef.close();
  });

  it('an append to a thread of 2,000 messages is one script that reads no stored message and writes a handful of fields', async () => {
    const thread = newThread();
    for (let batch = 0; batch < 4; batch++) {
      await store.appendMessages(thread, Array.from({ length: 500 }, (_, index) => ({ role: 'user' as const, content: `stored message ${batch * 500 + index}` })));
    }
    expect(await plain.hget(keyOf(thread), 'message_count')).toBe('2000');

    const appends = 10;
    const before = await commandCalls(plain);
    for (let n = 0; n < appends; n++) await store.appendUserMessage(thread, `new message ${n}`);
    const after = await commandCalls(plain);

    const perAppend = new Map<string, number>();
    for (const [command, calls] of after) {
      const delta = calls - (before.get(command) ?? 0);
      if (delta > 0 && !CONNECTION_COMMANDS.has(command.split('|')[0])) perAppend.set(command, delta / appends);
    }
    const scripts = (perAppend.get('evalsha') ?? 0) + (perAppend.get('eval') ?? 0);
    expect(scripts).toBe(1);
    for (const read of MESSAGE_READS) expect({ read, calls: perAppend.get(read) ?? 0 }).toEqual({ read, calls: 0 });
    // The one field read is `first` (the oldest kept seq), to know whether to trim.
    expect(perAppend.get('hget') ?? 0).toBeLessThanOrEqual(1);
    const commandsInside = [...perAppend].filter(([command]) => command !== 'evalsha' && command !== 'eval').reduce((sum, [, calls]) => sum + calls, 0);
    expect(commandsInside).toBeLessThanOrEqual(10);
    expect(await plain.hget(keyOf(thread), 'message_count')).toBe(String(2000 + appends));
  });
});
