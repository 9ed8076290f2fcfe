import * as keys from './keys';
import { PRESENCE_WINDOW_SECONDS, RedisNamespace, RedisTTL } from './namespaces';

describe('redis key builders', () => {
  it.each([
    ['session', keys.buildSessionKey('u1', 'c1'), 'session:u1:c1:state'],
    ['chat history', keys.buildChatHistoryKey('u1', 'c1', 't1'), 'chat:u1:c1:t1:history'],
    ['context', keys.buildContextKey('u1', 'c1'), 'context:u1:c1'],
    ['cache', keys.buildCacheKey('u1', 'c1', 'invoices', 'pending'), 'cache:u1:c1:invoices:pending'],
    ['jobs', keys.buildJobsKey('u1', 'c1', 'accounting'), 'jobs:u1:c1:accounting'],
    ['ws buffer', keys.buildWsBufferKey('u1', 't1'), 'pending_ws_messages:u1:t1'],
    ['lock', keys.buildLockKey('cron', 'task_1'), 'lock:cron:task_1'],
    ['registry user', keys.buildRegistryUserKey('u1'), 'registry:user:u1'],
    ['registry chroma', keys.buildRegistryChromaKey('u1', 'klk_space'), 'registry:chroma:u1:klk_space'],
    ['registry unified', keys.buildRegistryUnifiedKey('u1'), 'registry:unified:u1'],
    ['registry task', keys.buildRegistryTaskKey('doc_analysis_j1'), 'registry:task:doc_analysis_j1'],
    ['registry company', keys.buildRegistryCompanyKey('c1'), 'registry:company:c1'],
    ['registry session', keys.buildRegistrySessionKey('s1'), 'registry:session:s1'],
    ['company presence', keys.buildRegistryCompanyPresenceKey('c1'), 'registry:presence:company:c1'],
    ['user channel', keys.buildUserChannel('user:', 'u1'), 'user:u1'],
    ['user channel, custom prefix', keys.buildUserChannel('evt.', 'u1'), 'evt.u1'],
    ['message channel', keys.buildMessageChannel('u1'), 'msg:u1'],
    ['chat channel', keys.buildChatChannel('u1', 'c1', 't1'), 'chat:u1:c1:t1'],
    ['event stream', keys.buildEventStreamKey('u1'), 'events:{u1}'],
    ['idempotency', keys.buildIdempotencyKey('u1', 'abc'), 'idem:{u1}:abc'],
    ['rate limit', keys.buildRateLimitKey('u1', 1700000000), 'ratelimit:{u1}:1700000000'],
    ['workflow lease', keys.buildWorkflowLeaseKey('u1'), 'workflow:lease:{u1}'],
    ['workflow fence', keys.buildWorkflowFenceKey('u1'), 'workflow:fence:{u1}'],
    ['workflow cache', keys.buildWorkflowCacheKey('u1'), 'workflow:cache:{u1}'],
    ['cron task', keys.buildCronTaskKey('t1'), 'cron:task:t1'],
    ['fenced lock', keys.buildFencedLockKey('cron', 'sched_1'), 'lock:cron:{sched_1}'],
    ['lock fence', keys.buildLockFenceKey('cron', 'sched_1'), 'lock:cron:{sched_1}:fence'],
    ['cron schedule', keys.buildCronScheduleKey('cron', 'sched_1'), 'cron:{cron}:task:sched_1'],
    ['cron due', keys.buildCronDueKey('cron'), 'cron:{cron}:due'],
    ['cron in-flight', keys.buildCronInflightKey('cron'), 'cron:{cron}:inflight'],
    ['cron plans', keys.buildCronPlansKey('cron'), 'cron:{cron}:plans'],
    ['cron clock', keys.buildCronClockKey('cron'), 'cron:{cron}:clock'],
    ['cron user schedules', keys.buildCronUserSchedulesKey('cron', 'u1'), 'cron:{cron}:user:u1'],
    ['cron run counts', keys.buildCronRunCountsKey('cron'), 'metrics:cron_runs:cron'],
    ['job durations', keys.buildJobDurationKey('computation'), 'metrics:job_duration:computation'],
    ['session user index', keys.buildSessionUserIndexKey('u1'), 'session_index:user:u1'],
    ['chat index', keys.buildChatIndexKey('u1', 'c1'), 'chat_index:u1:c1'],
    ['unified user set', keys.buildRegistryUnifiedSetKey('u1', 'active_tasks'), 'registry:unified:u1:active_tasks'],
    ['company users', keys.buildRegistryCompanyUsersKey('c1'), 'registry:company:c1:active_users'],
    ['company set', keys.buildRegistryCompanySetKey('c1', 'llm_conversations'), 'registry:company:c1:llm_conversations'],
    ['company quotas', keys.buildRegistryCompanyQuotasKey('c1'), 'registry:company:c1:quotas'],
    ['quota active tasks', keys.buildQuotaActiveTasksKey('c1', 'u1'), 'quota:{c1}:tasks:u1'],
    ['quota llm', keys.buildQuotaLlmRequestsKey('c1', 491000), 'quota:{c1}:llm:491000'],
    ['quota storage', keys.buildQuotaStorageKey('c1'), 'quota:{c1}:storage_bytes'],
  ])('%s', (_name, actual, expected) => {
    expect(actual).toBe(expected);
  });

  it('names the fixed keys and channels', () => {
    expect(keys.REGISTRY_PRESENCE_KEY).toBe('registry:presence');
    expect(keys.INSTANCES_KEY).toBe('instances:live');
    expect(keys.WORKFLOW_CONTROL_CHANNEL).toBe('workflow:control');
    expect(keys.WORKFLOW_WATCHED_KEY).toBe('workflow:watched');
    expect(keys.REGISTRY_COMPANIES_KEY).toBe('registry:companies');
    expect(keys.REGISTRY_UNIFIED_USERS_KEY).toBe('registry:unified_users');
    expect(keys.REGISTRY_TASKS_KEY).toBe('registry:tasks');
  });

  it('refuses an empty part instead of building a key that collides with another', () => {
    expect(() => keys.buildSessionKey('', 'c1')).toThrow(/userId/);
    expect(() => keys.buildChatHistoryKey('u1', 'c1', '')).toThrow(/threadKey/);
  });

  it('gives the keys used together in one script a common hash tag', () => {
    const tag = (key: string) => /\{([^}]+)\}/.exec(key)?.[1];
    expect(tag(keys.buildIdempotencyKey('u1', 'k'))).toBe('u1');
    expect(tag(keys.buildRateLimitKey('u1', 1))).toBe('u1');
    expect(tag(keys.buildEventStreamKey('u1'))).toBe('u1');
  });
});

describe('namespaces and TTLs', () => {
  it('keeps seed 003 prefixes', () => {
    expect(RedisNamespace).toMatchObject({
      SESSION: 'session',
      CHAT: 'chat',
      CONTEXT: 'context',
      CACHE: 'cache',
      JOBS: 'jobs',
      WS_BUFFER: 'pending_ws_messages',
      LOCK: 'lock',
    });
  });

  it('pins the TTLs of SPEC §6', () => {
    expect(RedisTTL).toMatchObject({
      SESSION: 7200,
      CHAT_HISTORY: 86_400,
      CONTEXT: 3600,
      CACHE: 3600,
      JOBS: 1800,
      WS_BUFFER: 300,
      LOCK: 300,
      REGISTRY_USER: 86_400,
      REGISTRY_CHROMA: 90,
      REGISTRY_UNIFIED: 86_400,
      REGISTRY_COMPANY: 86_400,
      REGISTRY_TASK_GRACE: 300,
      IDEMPOTENCY: 86_400,
    });
    expect(PRESENCE_WINDOW_SECONDS).toBe(90);
  });

  it('tells the key parts that would break a key structure', () => {
    for (const safe of ['u1', 'klk_space-42', 'thread.2024@x', 'é']) expect(keys.isSafeKeyPart(safe)).toBe(true);
    for (const unsafe of ['', 'a:b', 'a{b}', 'a b', 'a*', 'a?', '[a]', 'a\\b', 'x'.repeat(257)]) expect(keys.isSafeKeyPart(unsafe)).toBe(false);
  });
});
