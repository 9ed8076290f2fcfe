/** Key prefixes of seed 003 (`RedisNamespace`), plus those of the registry and the suite. */
export const RedisNamespace = {
  SESSION: 'session',
  CHAT: 'chat',
  CONTEXT: 'context',
  CACHE: 'cache',
  JOBS: 'jobs',
  WS_BUFFER: 'pending_ws_messages',
  LOCK: 'lock',
  REGISTRY: 'registry',
  MESSAGES: 'msg',
  IDEMPOTENCY: 'idem',
  RATE_LIMIT: 'ratelimit',
  EVENT_STREAM: 'events',
  INSTANCES: 'instances',
  WORKFLOW: 'workflow',
  CRON: 'cron',
} as const;

/** TTLs in seconds (seed 003's `RedisTTL`, pinned by SPEC §6). */
export const RedisTTL = {
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
  /** Added to a task's max duration to get its record's TTL. */
  REGISTRY_TASK_GRACE: 300,
  IDEMPOTENCY: 86_400,
} as const;

/** A user is online while a heartbeat came within this many seconds. */
export const PRESENCE_WINDOW_SECONDS = 90;
