import { RedisNamespace as NS } from './namespaces';

/*
 * Every Redis key and channel of the suite is built here and nowhere else.
 *
 * The seeds' keys keep their exact form, because the Reflex app and operators read them. Keys that
 * only the suite reads and that a multi-key script touches together carry a hash tag (`{…}`), so
 * those scripts run on Redis Cluster too: e.g. a user's idempotency records share the tag `{uid}`.
 */

function part(name: string, value: string): string {
  if (value.length === 0) throw new Error(`Redis key part "${name}" must not be empty`);
  return value;
}

// --- seed 003 (session, chat, context, cache, jobs, websocket buffer, lock) ---

export const buildSessionKey = (userId: string, companyId: string): string =>
  `${NS.SESSION}:${part('userId', userId)}:${part('companyId', companyId)}:state`;

export const buildChatHistoryKey = (userId: string, companyId: string, threadKey: string): string =>
  `${NS.CHAT}:${part('userId', userId)}:${part('companyId', companyId)}:${part('threadKey', threadKey)}:history`;

export const buildContextKey = (userId: string, companyId: string): string =>
  `${NS.CONTEXT}:${part('userId', userId)}:${part('companyId', companyId)}`;

export const buildCacheKey = (userId: string, companyId: string, dataType: string, subType: string): string =>
  `${NS.CACHE}:${part('userId', userId)}:${part('companyId', companyId)}:${part('dataType', dataType)}:${part('subType', subType)}`;

export const buildJobsKey = (userId: string, companyId: string, department: string): string =>
  `${NS.JOBS}:${part('userId', userId)}:${part('companyId', companyId)}:${part('department', department)}`;

export const buildWsBufferKey = (userId: string, threadKey: string): string =>
  `${NS.WS_BUFFER}:${part('userId', userId)}:${part('threadKey', threadKey)}`;

export const buildLockKey = (lockType: string, resourceId: string): string =>
  `${NS.LOCK}:${part('lockType', lockType)}:${part('resourceId', resourceId)}`;

// --- registries (seed 000) ---

export const buildRegistryUserKey = (userId: string): string => `${NS.REGISTRY}:user:${part('userId', userId)}`;

export const buildRegistryChromaKey = (userId: string, collectionName: string): string =>
  `${NS.REGISTRY}:chroma:${part('userId', userId)}:${part('collectionName', collectionName)}`;

export const buildRegistryUnifiedKey = (userId: string): string => `${NS.REGISTRY}:unified:${part('userId', userId)}`;

export const buildRegistryTaskKey = (taskId: string): string => `${NS.REGISTRY}:task:${part('taskId', taskId)}`;

export const buildRegistryCompanyKey = (companyId: string): string =>
  `${NS.REGISTRY}:company:${part('companyId', companyId)}`;

/** Session id → user id, so `unregister_session(session_id)` finds the user. */
export const buildRegistrySessionKey = (sessionId: string): string =>
  `${NS.REGISTRY}:session:${part('sessionId', sessionId)}`;

/** Sorted set of online users scored by last heartbeat (ms), replacing any `KEYS registry:user:*` scan. */
export const REGISTRY_PRESENCE_KEY = `${NS.REGISTRY}:presence`;

/** The same, per company. */
export const buildRegistryCompanyPresenceKey = (companyId: string): string =>
  `${NS.REGISTRY}:presence:company:${part('companyId', companyId)}`;

// --- channels (SPEC §5) ---

export const buildUserChannel = (channelPrefix: string, userId: string): string => `${channelPrefix}${part('userId', userId)}`;

export const buildMessageChannel = (userId: string): string => `${NS.MESSAGES}:${part('userId', userId)}`;

/** Seed 003's `build_ws_channel`: `chat:{uid}:{cid}:{thread}`. */
export const buildChatChannel = (userId: string, companyId: string, threadKey: string): string =>
  `${NS.CHAT}:${part('userId', userId)}:${part('companyId', companyId)}:${part('threadKey', threadKey)}`;

// --- suite keys (hash-tagged where used together) ---

/** Capped stream of a user's events, for replay after a disconnect. */
export const buildEventStreamKey = (userId: string): string => `${NS.EVENT_STREAM}:{${part('userId', userId)}}`;

/** Stored response of an idempotent RPC call, scoped to the caller. */
export const buildIdempotencyKey = (scope: string, idempotencyKey: string): string =>
  `${NS.IDEMPOTENCY}:{${part('scope', scope)}}:${part('idempotencyKey', idempotencyKey)}`;

/** Fixed-window RPC rate-limit counter for one caller. */
export const buildRateLimitKey = (scope: string, windowStart: number): string =>
  `${NS.RATE_LIMIT}:{${part('scope', scope)}}:${windowStart}`;

/** Sorted set of live app instances scored by last liveness beat (ms). */
export const INSTANCES_KEY = `${NS.INSTANCES}:live`;

/**
 * Which workflow-listener instance watches a user (a lease: owner token and fence). Tagged with the
 * user, like the user's event stream, so the fenced publish checks the lease in the same script.
 */
export const buildWorkflowLeaseKey = (userId: string): string => `${NS.WORKFLOW}:lease:{${part('userId', userId)}}`;

/** Control channel on which the listener fleet is asked to watch or unwatch a user. */
export const WORKFLOW_CONTROL_CHANNEL = `${NS.WORKFLOW}:control`;

/** User cron task definitions. */
export const buildCronTaskKey = (taskId: string): string => `${NS.CRON}:task:${part('taskId', taskId)}`;

/** Sorted set of users the workflow-listener fleet watches, scored by lease expiry (ms). */
export const WORKFLOW_WATCHED_KEY = `${NS.WORKFLOW}:watched`;

// --- unified registry: the seed's record keys stay; lists live in sets beside them ---

export type UnifiedUserSet = 'chroma_collections' | 'active_conversations' | 'active_tasks' | 'task_history';
export type CompanySet = 'chroma_collections' | 'active_tasks' | 'llm_conversations';

/** A list of a unified user record (a Redis set, so concurrent adds never lose one). */
export const buildRegistryUnifiedSetKey = (userId: string, set: UnifiedUserSet): string =>
  `${buildRegistryUnifiedKey(userId)}:${set}`;

/** Users of a company record: field user id → `{role, last_activity, session_id}`. */
export const buildRegistryCompanyUsersKey = (companyId: string): string => `${buildRegistryCompanyKey(companyId)}:active_users`;

export const buildRegistryCompanySetKey = (companyId: string, set: CompanySet): string => `${buildRegistryCompanyKey(companyId)}:${set}`;

/** A company's quotas; unlike its 24 h record, they persist. */
export const buildRegistryCompanyQuotasKey = (companyId: string): string => `${buildRegistryCompanyKey(companyId)}:quotas`;

/** Every company and unified user ever registered, so maintenance can visit them without KEYS. */
export const REGISTRY_COMPANIES_KEY = `${NS.REGISTRY}:companies`;
export const REGISTRY_UNIFIED_USERS_KEY = `${NS.REGISTRY}:unified_users`;
export const REGISTRY_TASKS_KEY = `${NS.REGISTRY}:tasks`;

// --- company quota counters (hash tag: the company) ---

/** Active task ids of one user in one company (max_tasks_per_user). */
export const buildQuotaActiveTasksKey = (companyId: string, userId: string): string =>
  `quota:{${part('companyId', companyId)}}:tasks:${part('userId', userId)}`;

/** LLM requests of a company in one hour window (max_llm_requests_per_hour). */
export const buildQuotaLlmRequestsKey = (companyId: string, hourWindow: number): string =>
  `quota:{${part('companyId', companyId)}}:llm:${hourWindow}`;

/** Bytes of vector storage a company uses (storage_limit_mb). */
export const buildQuotaStorageKey = (companyId: string): string => `quota:{${part('companyId', companyId)}}:storage_bytes`;

/** Runs of a cron keyspace's schedules per outcome, summed over every scheduler instance (hash outcome → count). */
export const buildCronRunCountsKey = (keyspace: string): string => `metrics:cron_runs:${part('keyspace', keyspace)}`;

/** Job duration histogram of a queue, shared by every worker instance (fields: bucket le, sum, count). */
export const buildJobDurationKey = (queue: string): string => `metrics:job_duration:${part('queue', queue)}`;

// --- LLM conversations (seed 000's LLMService) ---

/** Seed 000's stored conversation: a hash `{data: JSON, created_at}` kept 24 h (CONVERSATION_TTL_SECONDS). */
export const buildConversationKey = (companyId: string, userId: string, conversationId: string): string =>
  `conversation:${part('companyId', companyId)}:${part('userId', userId)}:${part('conversationId', conversationId)}`;

export const CONVERSATION_TTL_SECONDS = 86_400;

// --- streamed chat answers (libs/llm) ---

/** A stop asked for a streaming answer; kept a while, so a stop that arrives before the stream starts still stops it. */
export const buildAnswerStopKey = (messageId: string): string => `llm:stop:${part('messageId', messageId)}`;

export const ANSWER_STOP_TTL_SECONDS = 300;

/** Control channel carrying the message ids of answers to stop, to whichever instance streams them. */
export const ANSWER_STOP_CHANNEL = 'llm:stop_requests';

/**
 * The answers of a thread sent and not yet stored (a set of message ids), so `LLM.stop_message`
 * without a message id stops them. Beside the history key, not in it: no script spans both.
 */
export const buildChatAnsweringKey = (userId: string, companyId: string, threadKey: string): string =>
  `${NS.CHAT}:${part('userId', userId)}:${part('companyId', companyId)}:${part('threadKey', threadKey)}:answering`;

/** Longer than any answer may take, so a set of a crashed worker's answers does not outlive its thread for long. */
export const CHAT_ANSWERING_TTL_SECONDS = 3600;
// --- distributed locks with fencing (libs/distributed-lock) ---

/**
 * The suite's own locks: seed 003's `lock:{type}:{resource}` with the resource as a hash tag, so
 * the lock and its fencing counter share one slot and one script can set both on Redis Cluster
 * (`lock:cron:{sched_1}` and `lock:cron:{sched_1}:fence`).
 */
export const buildFencedLockKey = (lockType: string, resourceId: string): string =>
  `${NS.LOCK}:${part('lockType', lockType)}:{${part('resourceId', resourceId)}}`;

/** The fencing counter beside a fenced lock: incremented on every acquisition, never reset while the resource exists. */
export const buildLockFenceKey = (lockType: string, resourceId: string): string => `${buildFencedLockKey(lockType, resourceId)}:fence`;

// --- user cron schedules (libs/cron-schedules) ---
// Every key of one keyspace (CRON_KEYSPACE, default `cron`) shares the hash tag `{<keyspace>}`, so
// the claim script runs on Redis Cluster; a separate keyspace is a separate set of schedules.

/** One schedule, a hash of per-field values (definition, state, run stats): `cron:{cron}:task:<id>`. */
export const buildCronScheduleKey = (keyspace: string, scheduleId: string): string =>
  `${NS.CRON}:{${part('keyspace', keyspace)}}:task:${part('scheduleId', scheduleId)}`;

/** Sorted set: schedule id → its next run (epoch ms). Paused schedules are not in it. */
export const buildCronDueKey = (keyspace: string): string => `${NS.CRON}:{${part('keyspace', keyspace)}}:due`;

/** Sorted set: claimed runs (`<schedule id>|<tick ms>|<kind>`) → lease expiry (epoch ms); an expired lease is claimed again. */
export const buildCronInflightKey = (keyspace: string): string => `${NS.CRON}:{${part('keyspace', keyspace)}}:inflight`;

/** Hash: schedule id → what planning its next run needs (version, catch-up, timezone, expression), read a batch at a time. */
export const buildCronPlansKey = (keyspace: string): string => `${NS.CRON}:{${part('keyspace', keyspace)}}:plans`;

/** Hash: the claim steps' clock (`last_step`, and the latest outage: `outage_from`, `outage_to`), which tells a missed run from a late one. */
export const buildCronClockKey = (keyspace: string): string => `${NS.CRON}:{${part('keyspace', keyspace)}}:clock`;

/** Set of a user's schedule ids (list_tasks without a scan). */
export const buildCronUserSchedulesKey = (keyspace: string, userId: string): string =>
  `${NS.CRON}:{${part('keyspace', keyspace)}}:user:${part('userId', userId)}`;
// --- vector storage ledger (CHROMA_VECTOR; hash tag: the company, like buildQuotaStorageKey) ---

/** Bytes charged per record id of one collection (hash id → bytes): each record is charged and refunded exactly once. */
export const buildVectorStorageLedgerKey = (companyId: string, collectionName: string): string =>
  `quota:{${part('companyId', companyId)}}:storage_ledger:${part('collectionName', collectionName)}`;
// --- workflow listener (hash tag: the user, shared with the user's event stream) ---

/** Fencing counter of a user's lease: incremented on each new holder, never reset. */
export const buildWorkflowFenceKey = (userId: string): string => `${NS.WORKFLOW}:fence:{${part('userId', userId)}}`;

/** Last values seen of a user's watched documents: field `<collection>/<doc id>` → JSON. */
export const buildWorkflowCacheKey = (userId: string): string => `${NS.WORKFLOW}:cache:{${part('userId', userId)}}`;

/** Sorted set of live listener instances scored by expiry (ms); each has a stats hash. */
export const WORKFLOW_INSTANCES_KEY = `${NS.WORKFLOW}:instances`;

/** A listener instance's counters (`users`, `listeners`, `cache_entries`), refreshed at each reconcile. */
export const buildWorkflowInstanceStatsKey = (instanceId: string): string => `${NS.WORKFLOW}:instance:${part('instanceId', instanceId)}`;

/** Realtime Database threads a user watches (`{space_code}/{thread_key}` members); followed by the user's listener instance. */
export const buildWorkflowThreadsKey = (userId: string): string => `${NS.WORKFLOW}:threads:{${part('userId', userId)}}`;

/** Last Realtime Database message key delivered per followed feed of a user (`direct`, `thread/<space>/<thread>`). */
export const buildWorkflowFeedsKey = (userId: string): string => `${NS.WORKFLOW}:feeds:{${part('userId', userId)}}`;
// --- LLM sessions and chat history (seed 003): indexes beside the seed's keys, no KEYS/SCAN ---

/**
 * What a key part may hold: no `:` (the separator), no braces (hash tags), no whitespace and no
 * glob characters, so a part can never change a key's structure or an operator's pattern.
 */
export const SAFE_KEY_PART_PATTERN = /^[^:{}\s*?[\]\\]{1,256}$/;

export const isSafeKeyPart = (value: string): boolean => SAFE_KEY_PART_PATTERN.test(value);

/** Sorted set of a user's live session company ids, scored by the session's expiry (ms). */
export const buildSessionUserIndexKey = (userId: string): string => `session_index:user:${part('userId', userId)}`;

/** Sorted set of every live session (`uid:cid`), scored by expiry (ms). */
export const SESSION_INDEX_ALL_KEY = 'session_index:all';

/** Sorted set of the users with a live session, scored by their latest session expiry (ms). */
export const SESSION_INDEX_USERS_KEY = 'session_index:users';

/** Sorted set of the sessions (`uid:cid`) whose user is on the chat page, scored by expiry (ms). */
export const SESSION_INDEX_ON_CHAT_KEY = 'session_index:on_chat';

/** Sorted set of a user's threads in a company, scored by the thread's last write (ms). */
export const buildChatIndexKey = (userId: string, companyId: string): string =>
  `chat_index:${part('userId', userId)}:${part('companyId', companyId)}`;
