import { ChatHistoryStore } from '@suite/chat-history';
import { Firestore, FIRESTORE } from '@suite/firebase';
import { SessionDataLoader } from '@suite/llm-sessions';
import { SessionStateStore } from '@suite/session-state';
import { MetricsService } from '@suite/metrics';
import { buildWorkflowThreadsKey } from '@suite/redis-namespaces';
import { testConfig, testRedisClient, TestRedis, uniqueId } from '@suite/testing';
import { GatewayTestApp, startGateway } from './gateway-test-app';
import { postRpc } from './post-rpc';

interface Answer {
  status: number;
  data: never;
  error?: { code: string; message: string };
}

/** A client profile, its company document and `jobs` task_manager documents, as the Reflex app stores them. */
async function seedUser(firestore: Firestore, userId: string, companyId: string, jobs: Array<Record<string, unknown>>): Promise<void> {
  const batch = firestore.batch();
  batch.set(firestore.doc(`clients/${userId}`), { display_name: `User ${userId}`, created_at: new Date('2024-01-02T03:04:05Z') });
  batch.set(firestore.doc(`clients/${userId}/companies/${companyId}`), { name: 'ACME SA', currency: 'CHF' });
  jobs.forEach((job, index) => batch.set(firestore.doc(`clients/${userId}/task_manager/job-${index}`), job));
  await batch.commit();
}

describe('LLM.* sessions and threads through two gateway instances', () => {
  let one: GatewayTestApp;
  let two: GatewayTestApp;
  let firestore: Firestore;
  let plain: TestRedis;

  beforeAll(async () => {
    [one, two] = await Promise.all([startGateway(testConfig()), startGateway(testConfig())]);
    firestore = one.app.get<Firestore>(FIRESTORE);
    plain = testRedisClient();
  });

  afterAll(async () => {
    plain.disconnect();
    await Promise.all([one.close(), two.close()]);
  });

  const call = async (gateway: GatewayTestApp, method: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}): Promise<Answer> => {
    const result = await postRpc(gateway.url, { method: `LLM.${method}`, args, kwargs, user_id: 'caller' });
    return { status: result.status, data: result.body.data as never, error: result.body.error };
  };

  async function initializedUser(): Promise<{ user: string; company: string }> {
    const [user, company] = [uniqueId('u'), uniqueId('c')];
    await seedUser(firestore, user, company, [{ department: 'APbookeeper', status: 'pending' }]);
    expect((await call(one, 'initialize_session', [user, company])).data).toMatchObject({ status: 'created' });
    return { user, company };
  }

  it('initialize_session loads the profile, company and jobs from Firestore, caches them, and answers created then refreshed', async () => {
    const [user, company, otherCompany] = [uniqueId('u'), uniqueId('c'), uniqueId('c')];
    await seedUser(firestore, user, company, [
      { department: 'APbookeeper', status: 'pending', invoice: 'F-1', due: new Date('2024-05-01T00:00:00Z') },
      { department: 'APbookeeper', status: 'completed' },
      { department: 'Router', status: 'pending', company_id: company },
      { department: 'Bankbookeeper', status: 'pending', company_id: otherCompany },
      { status: 'new' },
    ]);

    const first = await call(one, 'initialize_session', [user, company], { client_uuid: 'client-1' });
    expect(first).toMatchObject({ status: 200, data: { success: true, status: 'created', session_key: `${user}:${company}`, data_source: 'firestore', jobs_count: 4 } });

    const contextTtl = await plain.ttl(`context:${user}:${company}`);
    expect(contextTtl).toBeGreaterThan(3600 - 5);
    expect(contextTtl).toBeLessThanOrEqual(3600);
    for (const department of ['APbookeeper', 'Router', 'general']) {
      const ttl = await plain.ttl(`jobs:${user}:${company}:${department}`);
      expect(ttl).toBeGreaterThan(1800 - 5);
      expect(ttl).toBeLessThanOrEqual(1800);
    }
    expect(await plain.exists(`jobs:${user}:${company}:Bankbookeeper`)).toBe(0);
    expect(await plain.ttl(`session:${user}:${company}:state`)).toBeGreaterThan(7200 - 5);
    expect(JSON.parse((await plain.hget(`session:${user}:${company}:state`, 'jobs_metrics')) ?? '{}')).toMatchObject({
      total_jobs: 4,
      by_status: { pending: 2, completed: 1, new: 1 },
      by_department: { APbookeeper: { total: 2 }, Router: { total: 1 }, general: { total: 1 } },
    });
    const userContext = JSON.parse((await plain.hget(`session:${user}:${company}:state`, 'user_context')) ?? '{}');
    expect(userContext).toMatchObject({ client_uuid: 'client-1', profile: { created_at: { $date: '2024-01-02T03:04:05.000Z' } }, company: { name: 'ACME SA' } });

    const second = await call(two, 'initialize_session', [user, company], { client_uuid: 'client-1' });
    expect(second.data).toMatchObject({ success: true, status: 'refreshed', data_source: 'cache', jobs_count: 4 });
    // The refresh wrote the cached jobs' text into the session as is: it decodes to the jobs, dates included.
    const refreshed = await two.app.get(SessionStateStore).load(user, company);
    expect(refreshed?.jobs_data['APbookeeper']).toEqual([
      expect.objectContaining({ job_id: 'job-0', invoice: 'F-1', due: new Date('2024-05-01T00:00:00Z') }),
      expect.objectContaining({ job_id: 'job-1', status: 'completed' }),
    ]);
    expect(Object.keys(refreshed?.jobs_data ?? {}).sort()).toEqual(['APbookeeper', 'Router', 'general']);

    const metrics = await one.app.get(MetricsService).registry.metrics();
    expect(metrics).toMatch(/llm_sessions_initialized_total\{status="created",source="firestore"\} [1-9]/);
  });

  it('both instances initializing one user at once give exactly one created', async () => {
    const users = Array.from({ length: 8 }, () => ({ user: uniqueId('u'), company: uniqueId('c') }));
    await Promise.all(users.map(({ user, company }) => seedUser(firestore, user, company, [{ department: 'Router', status: 'pending' }])));
    for (const { user, company } of users) {
      const answers = await Promise.all([call(one, 'initialize_session', [user, company]), call(two, 'initialize_session', [user, company]), call(one, 'initialize_session', [user, company])]);
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
      expect(answers.map((answer) => (answer.data as { status: string }).status).sort()).toEqual(['created', 'refreshed', 'refreshed']);
    }
  });

  it('concurrent initializations of one user on one instance share one Firestore load', async () => {
    const [user, company] = [uniqueId('u'), uniqueId('c')];
    await seedUser(firestore, user, company, [{ department: 'Router', status: 'pending' }]);
    const loader = one.app.get(SessionDataLoader);
    const loadJobs = loader.loadJobs.bind(loader);
    // A slow jobs query, so every call below misses the cache while the first load is under way.
    const jobsLoads = jest.spyOn(loader, 'loadJobs').mockImplementation(async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      return loadJobs(...args);
    });
    const contextLoads = jest.spyOn(loader, 'loadContext');
    try {
      const answers = await Promise.all(Array.from({ length: 5 }, () => call(one, 'initialize_session', [user, company])));
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
      expect(answers.map((answer) => (answer.data as { status: string }).status).sort()).toEqual(['created', 'refreshed', 'refreshed', 'refreshed', 'refreshed']);
      expect(answers.map((answer) => (answer.data as { data_source: string }).data_source)).toEqual(Array(5).fill('firestore'));
      expect(jobsLoads.mock.calls.filter(([userId]) => userId === user)).toHaveLength(1);
      expect(contextLoads.mock.calls.filter(([userId]) => userId === user)).toHaveLength(1);
    } finally {
      jobsLoads.mockRestore();
      contextLoads.mockRestore();
    }
  });

  it('initialize_session again keeps the presence, the open thread and the thread states', async () => {
    const { user, company } = await initializedUser();
    await call(one, 'enter_chat', [user, company, 'thread-a']);
    const threadStates = async () => Object.keys(await plain.hgetall(`session:${user}:${company}:state`)).filter((field) => field.startsWith('thread:'));
    const before = await threadStates();
    expect(before).toEqual(['thread:thread-a']);

    expect((await call(two, 'initialize_session', [user, company])).data).toMatchObject({ status: 'refreshed' });
    expect((await call(one, 'is_user_on_thread', [user, company, 'thread-a'])).data).toBe(true);
    expect(await plain.hget(`session:${user}:${company}:state`, 'current_active_thread')).toBe('"thread-a"');
    expect(await threadStates()).toEqual(before);
  });

  it('a thread entered through one instance is seen through the other, and survives a restart', async () => {
    const { user, company } = await initializedUser();
    expect((await call(one, 'enter_chat', [user, company, 'thread-a'])).data).toEqual({ success: true, thread_key: 'thread-a', is_on_chat_page: true });
    expect((await call(two, 'is_user_on_thread', [user, company, 'thread-a'])).data).toBe(true);
    expect((await call(two, 'is_user_on_thread', [user, company, 'thread-b'])).data).toBe(false);
    expect((await call(two, 'list_chats', [user, company])).data).toEqual([expect.objectContaining({ thread_key: 'thread-a', message_count: 0, status: 'active' })]);

    expect((await call(two, 'switch_thread', [user, company, 'thread-b'])).status).toBe(200);
    expect((await call(one, 'is_user_on_thread', [user, company, 'thread-b'])).data).toBe(true);
    expect((await call(one, 'is_user_on_thread', [user, company, 'thread-a'])).data).toBe(false);
    expect(((await call(one, 'list_chats', [user, company])).data as Array<{ thread_key: string }>).map((chat) => chat.thread_key)).toEqual(['thread-b', 'thread-a']);

    // A new instance (another process, or this one restarted) reads the session back from Redis.
    const restarted = await startGateway(testConfig());
    try {
      expect((await call(restarted, 'is_user_on_thread', [user, company, 'thread-b'])).data).toBe(true);
      expect((await call(restarted, 'leave_chat', [user, company])).data).toEqual({ success: true, is_on_chat_page: false });
    } finally {
      await restarted.close();
    }
    expect((await call(one, 'is_user_on_thread', [user, company, 'thread-b'])).data).toBe(false);
  });

  it('the open thread is followed in the Realtime Database: enter_chat watches it, switch_thread moves the watch, leave_chat ends it', async () => {
    const { user, company } = await initializedUser();
    const watched = async () => (await plain.smembers(buildWorkflowThreadsKey(user))).sort();
    await call(one, 'enter_chat', [user, company, 'thread-a']);
    expect(await watched()).toEqual([`${company}/thread-a`]);
    await call(two, 'switch_thread', [user, company, 'thread-b']);
    expect(await watched()).toEqual([`${company}/thread-b`]);
    await call(one, 'leave_chat', [user, company]);
    expect(await watched()).toEqual([]);
  });

  it('100 concurrent appends to one thread spread over both instances lose no message and keep each caller order', async () => {
    const { user, company } = await initializedUser();
    await call(one, 'enter_chat', [user, company, 'busy']);
    const stores = [one.app.get(ChatHistoryStore), two.app.get(ChatHistoryStore)];
    const thread = { userId: user, companyId: company, threadKey: 'busy' };
    const callers = Array.from({ length: 10 }, (_, index) => `caller${index}`);
    await Promise.all(
      callers.map(async (caller, callerIndex) => {
        for (let n = 0; n < 10; n++) await stores[(callerIndex + n) % 2].appendUserMessage(thread, `${caller}/${n}`);
      }),
    );
    const history = (await call(two, 'get_chat_history', [user, company, 'busy'])).data as { messages: Array<{ seq: number; content: string }>; message_count: number };
    expect(history.message_count).toBe(100);
    expect(history.messages).toHaveLength(100);
    expect(new Set(history.messages.map((message) => message.content)).size).toBe(100);
    for (const caller of callers) {
      const own = history.messages.filter((message) => message.content.startsWith(`${caller}/`)).map((message) => Number(message.content.split('/')[1]));
      expect(own).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
    const seqs = history.messages.map((message) => message.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('get_chat_history and clear_chat (which keeps the system prompt); close_session drops the state and caches, not the history', async () => {
    const { user, company } = await initializedUser();
    await call(one, 'enter_chat', [user, company, 't1']);
    const store = two.app.get(ChatHistoryStore);
    const thread = { userId: user, companyId: company, threadKey: 't1' };
    await store.updateSystemPrompt(thread, 'You are Pinnokio.');
    await store.appendMessages(thread, [
      { role: 'user', content: 'Bonjour' },
      { role: 'assistant', content: 'Bonjour ! Que puis-je faire ?' },
    ]);
    const history = await call(one, 'get_chat_history', [user, company, 't1']);
    expect(history.data).toMatchObject({
      thread_key: 't1',
      system_prompt: 'You are Pinnokio.',
      status: 'active',
      message_count: 2,
      version: '2.0',
      messages: [
        { role: 'user', content: 'Bonjour', seq: 1 },
        { role: 'assistant', content: 'Bonjour ! Que puis-je faire ?', seq: 2 },
      ],
    });
    expect((await call(two, 'clear_chat', [user, company, 't1'])).data).toEqual({ success: true, thread_key: 't1', cleared_messages: 2 });
    expect((await call(one, 'get_chat_history', [user, company, 't1'])).data).toMatchObject({ system_prompt: 'You are Pinnokio.', messages: [], message_count: 0 });

    expect((await call(two, 'close_session', [user, company])).data).toEqual({ success: true, closed: true });
    expect(await plain.exists(`session:${user}:${company}:state`)).toBe(0);
    expect(await plain.exists(`context:${user}:${company}`)).toBe(0);
    expect(await plain.exists(`jobs:${user}:${company}:APbookeeper`)).toBe(0);
    expect((await call(one, 'is_user_on_thread', [user, company, 't1'])).data).toBe(false);
    expect((await call(one, 'get_chat_history', [user, company, 't1'])).status).toBe(200);
    expect((await call(one, 'close_session', [user, company])).data).toEqual({ success: true, closed: false });
    expect((await call(one, 'initialize_session', [user, company])).data).toMatchObject({ status: 'created', data_source: 'firestore' });
  });

  it('bad input is INVALID_ARGS naming the parameter; a missing session or profile is NOT_FOUND', async () => {
    const { user, company } = await initializedUser();
    const unknown = await call(one, 'get_chat_history', [user, company, 'never-entered']);
    expect(unknown).toMatchObject({ status: 400, error: { code: 'INVALID_ARGS', message: expect.stringContaining('thread_key') } });
    expect((await call(one, 'clear_chat', [user, company, 'never-entered'])).error).toMatchObject({ code: 'INVALID_ARGS', message: expect.stringContaining('thread_key') });

    for (const [method, args, parameter] of [
      ['initialize_session', ['u:1', company], 'user_id'],
      ['initialize_session', [user, 'c{1}'], 'company_id'],
      ['initialize_session', [user, company, 'a b'], 'client_uuid'],
      ['enter_chat', [user, company, 'thread:x'], 'thread_key'],
      ['is_user_on_thread', [user, company, ''], 'thread_key'],
      ['list_chats', [user, 'x'.repeat(300)], 'company_id'],
    ] as Array<[string, unknown[], string]>) {
      const answer = await call(two, method, args);
      expect(answer).toMatchObject({ status: 400, error: { code: 'INVALID_ARGS', message: expect.stringContaining(parameter) } });
    }

    const lonely = uniqueId('u');
    expect((await call(one, 'enter_chat', [lonely, company, 't'])).error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('initialize_session') });
    expect((await call(one, 'leave_chat', [lonely, company])).error?.code).toBe('NOT_FOUND');
    expect((await call(one, 'initialize_session', [lonely, company])).error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining(`clients/${lonely}`) });
  });
});
