import { Test, TestingModule } from '@nestjs/testing';
import { ConfigModule } from '@suite/config';
import { RedisConnections, RedisModule } from '@suite/redis';
import { testConfig, testRedisClient, TestRedis, uniqueId, keyspaceScans } from '@suite/testing';
import { SessionStateModule } from './session-state.module';
import { InvalidSessionKeyError, SessionStateStore } from './session-state.store';
import { typedJson } from './typed-json';

async function sessionModule(): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(testConfig()), RedisModule, SessionStateModule],
  }).compile();
  await moduleRef.init();
  return moduleRef;
}

describe('SessionStateStore against real Redis', () => {
  let one: TestingModule;
  let two: TestingModule;
  let store: SessionStateStore;
  let other: SessionStateStore;
  let redis: RedisConnections;
  let plain: TestRedis;

  beforeAll(async () => {
    [one, two] = await Promise.all([sessionModule(), sessionModule()]);
    store = one.get(SessionStateStore);
    other = two.get(SessionStateStore);
    redis = one.get(RedisConnections);
    plain = testRedisClient();
  });

  afterAll(async () => {
    plain.disconnect();
    await Promise.all([one.close(), two.close()]);
  });

  it('saves and loads every seed field at session:{uid}:{cid}:state with a 2 h TTL; dates and sets round-trip', async () => {
    const [user, company] = [uniqueId('u'), uniqueId('c')];
    const lastActivity = new Date('2024-12-02T10:30:00.000Z');
    const saved = await store.save(user, company, {
      user_context: { name: 'Ada', since: new Date('2020-01-01T00:00:00Z') },
      jobs_data: { APbookeeper: [{ id: 'j1' }] },
      jobs_metrics: { total: 1 },
      is_on_chat_page: true,
      current_active_thread: 't1',
      thread_states: { t1: { last_activity: lastActivity, unread: 2 } },
      active_tasks: new Set(['task-a', 'task-b']),
      intermediation_mode: true,
    });
    expect(saved).toEqual({ created: true });
    expect((await store.save(user, company, {})).created).toBe(false);

    await store.save(user, company, {
      user_context: { name: 'Ada', since: new Date('2020-01-01T00:00:00Z') },
      thread_states: { t1: { last_activity: lastActivity, unread: 2 } },
      active_tasks: new Set(['task-a', 'task-b']),
      is_on_chat_page: true,
      current_active_thread: 't1',
    });
    const loaded = await store.load(user, company);
    expect(loaded).toMatchObject({
      user_id: user,
      company_id: company,
      user_context: { name: 'Ada', since: new Date('2020-01-01T00:00:00Z') },
      jobs_data: {},
      is_on_chat_page: true,
      current_active_thread: 't1',
      thread_states: { t1: { last_activity: lastActivity, unread: 2 } },
      intermediation_mode: false,
    });
    expect(loaded?.active_tasks).toEqual(new Set(['task-a', 'task-b']));
    expect(loaded?.active_tasks).toBeInstanceOf(Set);
    expect(loaded?.thread_states['t1'].last_activity).toBeInstanceOf(Date);
    expect(loaded?.created_at).toBeInstanceOf(Date);

    const key = `session:${user}:${company}:state`;
    expect(await plain.type(key)).toBe('hash');
    expect(await plain.hget(key, 'active_tasks')).toBe('{"$set":["task-a","task-b"]}');
    const ttl = await plain.ttl(key);
    expect(ttl).toBeGreaterThan(7200 - 5);
    expect(ttl).toBeLessThanOrEqual(7200);
  });

  it('a full save drops the threads it does not name', async () => {
    const [user, company] = [uniqueId('u'), uniqueId('c')];
    await store.save(user, company, { thread_states: { a: { last_activity: new Date() }, b: { last_activity: new Date() } } });
    await store.save(user, company, { thread_states: { c: { last_activity: new Date() } } });
    expect(Object.keys((await store.load(user, company))?.thread_states ?? {})).toEqual(['c']);
  });

  it('a partial update writes only the fields it names, refreshes the TTL, and needs an existing session', async () => {
    const [user, company] = [uniqueId('u'), uniqueId('c')];
    expect(await store.update(user, company, { is_on_chat_page: true })).toBe(false);
    expect(await store.exists(user, company)).toBe(false);

    await store.save(user, company, { user_context: { name: 'Ada' }, jobs_metrics: { total: 3 } });
    const key = `session:${user}:${company}:state`;
    await plain.expire(key, 100);
    const before = await plain.hgetall(key);
    expect(await store.update(user, company, { jobs_metrics: { total: 4 } })).toBe(true);
    const after = await plain.hgetall(key);
    expect(after['jobs_metrics']).toBe('{"total":4}');
    for (const field of ['user_context', 'jobs_data', 'is_on_chat_page', 'active_tasks', 'created_at']) expect(after[field]).toBe(before[field]);
    expect(await plain.ttl(key)).toBeGreaterThan(7200 - 5);
  });

  it('an upsert (what initialize_session writes) keeps presence, the active thread and thread states; created only the first time', async () => {
    const [user, company] = [uniqueId('u'), uniqueId('c')];
    expect(await store.upsert(user, company, { user_context: { name: 'Ada' }, jobs_data: { Router: [{ id: 'j1' }] } })).toEqual({ created: true });
    expect(await store.updatePresence(user, company, true, 't1')).toBe(true);
    await store.updateThreadActivity(user, company, 't0', { unread: 3 });

    // jobs_data given as its stored text (as the LLM manager passes the cached jobs), written as is.
    const due = new Date('2024-05-01T00:00:00.000Z');
    const encodedJobs = typedJson.stringify({ Router: [{ id: 'j2', due }] });
    expect(await other.upsert(user, company, { user_context: { name: 'Ada L.' } }, { jobs_data: encodedJobs })).toEqual({ created: false });
    expect(await plain.hget(`session:${user}:${company}:state`, 'jobs_data')).toBe(encodedJobs);
    expect(await store.isUserOnThread(user, company, 't1')).toBe(true);
    const loaded = await store.load(user, company);
    expect(loaded).toMatchObject({ user_context: { name: 'Ada L.' }, jobs_data: { Router: [{ id: 'j2', due }] }, is_on_chat_page: true, current_active_thread: 't1' });
    expect(Object.keys(loaded?.thread_states ?? {}).sort()).toEqual(['t0', 't1']);
    expect(loaded?.thread_states['t0']).toMatchObject({ unread: 3 });
  });

  it('concurrent partial updates from two instances never lose each other (per-field hash, one script)', async () => {
    const [user, company] = [uniqueId('u'), uniqueId('c')];
    await store.save(user, company, {});
    const threads = Array.from({ length: 40 }, (_, index) => `t${index}`);
    await Promise.all(
      threads.map((thread, index) => (index % 2 === 0 ? store : other).updateThreadActivity(user, company, thread, { index })),
    );
    await Promise.all([store.updateJobsData(user, company, { bank: [] }, { total: 0 }), other.update(user, company, { intermediation_mode: true })]);
    const loaded = await other.load(user, company);
    expect(Object.keys(loaded?.thread_states ?? {}).sort()).toEqual([...threads].sort());
    expect(loaded?.thread_states['t7']).toMatchObject({ index: 7, last_activity: expect.any(Date) });
    expect(loaded).toMatchObject({ jobs_data: { bank: [] }, jobs_metrics: { total: 0 }, intermediation_mode: true });
  });

  it('presence: is_user_on_thread is what any instance last wrote', async () => {
    const [user, company] = [uniqueId('u'), uniqueId('c')];
    expect(await store.updatePresence(user, company, true, 't1')).toBe(false);
    await store.save(user, company, {});
    expect(await store.updatePresence(user, company, true, 't1')).toBe(true);
    expect(await other.isUserOnThread(user, company, 't1')).toBe(true);
    expect(await other.isUserOnThread(user, company, 't2')).toBe(false);
    expect((await other.load(user, company))?.thread_states['t1']?.last_activity).toBeInstanceOf(Date);
    await other.updatePresence(user, company, false, null);
    expect(await store.isUserOnThread(user, company, 't1')).toBe(false);
    expect((await store.load(user, company))?.current_active_thread).toBeNull();
  });

  it('exists, extend_ttl, delete', async () => {
    const [user, company] = [uniqueId('u'), uniqueId('c')];
    expect(await store.extendTtl(user, company)).toBe(false);
    await store.save(user, company, {});
    expect(await store.exists(user, company)).toBe(true);
    expect(await store.extendTtl(user, company, 9000)).toBe(true);
    expect(await plain.ttl(`session:${user}:${company}:state`)).toBeGreaterThan(9000 - 5);
    expect(await store.delete(user, company)).toBe(true);
    expect(await store.exists(user, company)).toBe(false);
    expect(await store.load(user, company)).toBeNull();
    expect(await store.delete(user, company)).toBe(false);
  });

  it('lists a user sessions and global stats from index sets, without KEYS or SCAN, pruning expired entries', async () => {
    const user = uniqueId('u');
    const companies = [uniqueId('c'), uniqueId('c'), uniqueId('c')];
    const statsBefore = await store.stats();
    await Promise.all(companies.map((company) => store.save(user, company, {})));
    await store.updatePresence(user, companies[0], true, 't1');

    const scansBefore = await keyspaceScans(plain);
    expect((await other.listUserSessions(user)).sort()).toEqual([...companies].sort());
    const stats = await other.stats();
    expect(await keyspaceScans(plain)).toBe(scansBefore);
    expect(stats.ttl_seconds).toBe(7200);
    expect(stats.total_sessions).toBeGreaterThanOrEqual(3);
    expect(stats.total_users).toBeGreaterThanOrEqual(1);
    expect(stats.sessions_on_chat_page).toBeGreaterThanOrEqual(1);
    expect(stats.total_sessions - statsBefore.total_sessions).toBeLessThanOrEqual(3 + 50); // other tests run beside

    // One session expired (its index entry is due): it is pruned from the list.
    await redis.command.zadd(`session_index:user:${user}`, Date.now() - 1, companies[1]);
    expect((await store.listUserSessions(user)).sort()).toEqual([companies[0], companies[2]].sort());

    await store.delete(user, companies[0]);
    await store.delete(user, companies[2]);
    expect(await store.listUserSessions(user)).toEqual([]);
    expect(await plain.zscore('session_index:users', user)).toBeNull();
    expect(await plain.zscore('session_index:on_chat', `${user}:${companies[0]}`)).toBeNull();
  });

  it('refuses ids that would break the key structure', async () => {
    await expect(store.save('u:1', 'c', {})).rejects.toThrow(InvalidSessionKeyError);
    await expect(store.load('u', 'c{1}')).rejects.toMatchObject({ parameter: 'company_id' });
    await expect(store.updateThreadActivity('u', 'c', 'a b')).rejects.toMatchObject({ parameter: 'thread_key' });
  });
});
