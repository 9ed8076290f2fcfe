import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ArrayNotEmpty,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
} from 'class-validator';
import { EmptyAsUndefined, EnvBoolean, EnvInteger, EnvJsonObject, EnvList } from './env-transforms';

export const QUEUE_NAMES = ['default', 'computation', 'llm', 'maintenance'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The whole configuration of every app, from environment variables. Property names are the
 * variable names, so a validation message names the variable to fix. The seeds' names are kept.
 */
export class AppConfig {
  // --- Gateway HTTP ---
  @IsOptional() @EmptyAsUndefined() @IsString() @MinLength(16)
  LISTENERS_SERVICE_TOKEN?: string;

  @EnvInteger() @IsInt() @Min(0) @Max(65535)
  PORT = 8080;

  @IsString() @MinLength(1)
  HOST = '127.0.0.1';

  @EnvInteger() @IsInt() @Min(1024) @Max(64 * 1024 * 1024)
  RPC_BODY_LIMIT_BYTES = 1024 * 1024;

  @EnvInteger() @IsInt() @Min(1)
  RPC_DEFAULT_TIMEOUT_MS = 120_000;

  @EnvInteger() @IsInt() @Min(1)
  RPC_MAX_TIMEOUT_MS = 300_000;

  @EnvInteger() @IsInt() @Min(1)
  RPC_RATE_LIMIT_PER_MINUTE = 6000;

  /** Calls an instance reserves from the shared per-minute budget at a time (see RateLimiter). */
  @EnvInteger() @IsInt() @Min(1)
  RPC_RATE_LIMIT_BATCH = 20;

  @EnvInteger() @IsInt() @Min(1)
  RPC_IDEMPOTENCY_TTL_SECONDS = 86_400;

  // --- Redis (Valkey in production) ---
  @IsString() @MinLength(1)
  LISTENERS_REDIS_HOST = '127.0.0.1';

  @EnvInteger() @IsInt() @Min(1) @Max(65535)
  LISTENERS_REDIS_PORT = 6379;

  @IsOptional() @EmptyAsUndefined() @IsString()
  LISTENERS_REDIS_PASSWORD?: string;

  @EnvBoolean() @IsBoolean()
  LISTENERS_REDIS_TLS = false;

  @EnvInteger() @IsInt() @Min(0) @Max(15)
  LISTENERS_REDIS_DB = 0;

  /** Connect to a Redis Cluster (ElastiCache cluster mode) instead of a single node. */
  @EnvBoolean() @IsBoolean()
  LISTENERS_REDIS_CLUSTER = false;

  @IsString() @MinLength(1)
  LISTENERS_CHANNEL_PREFIX = 'user:';

  /** BullMQ key prefix; hash-tagged so every key of a queue lands in one cluster slot. */
  @IsString() @Matches(/^\{[^{}]+\}$/, { message: 'QUEUE_PREFIX must be a hash tag such as {bq}' })
  QUEUE_PREFIX = '{bq}';

  // --- Events ---
  @EnvInteger() @IsInt() @Min(10)
  EVENT_STREAM_MAXLEN = 1000;

  @EnvInteger() @IsInt() @Min(60)
  EVENT_STREAM_TTL_SECONDS = 86_400;

  // --- Feature switches (seed 001's migration flags) ---
  @EnvBoolean() @IsBoolean()
  UNIFIED_REGISTRY_ENABLED = false;

  @EnvBoolean() @IsBoolean()
  REGISTRY_DEBUG = false;

  @EnvBoolean() @IsBoolean()
  WORKFLOW_LISTENER_ENABLED = true;

  // --- Chroma ---
  @IsString() @MinLength(1)
  CHROMA_HOST = '127.0.0.1';

  @EnvInteger() @IsInt() @Min(1) @Max(65535)
  CHROMA_PORT = 8000;

  @EnvBoolean() @IsBoolean()
  CHROMA_SSL = false;

  @IsString() @MinLength(1)
  CHROMA_TENANT = 'default_tenant';

  @IsString() @MinLength(1)
  CHROMA_DATABASE = 'default_database';

  // --- Firebase ---
  @IsString() @MinLength(1)
  FIREBASE_PROJECT_ID = 'demo-suite';

  /** host:port of the Firestore emulator; unset in production. */
  @IsOptional() @EmptyAsUndefined() @Matches(/^[^:\s]+:\d{1,5}$/, { message: 'FIRESTORE_EMULATOR_HOST must be host:port' })
  FIRESTORE_EMULATOR_HOST?: string;

  // --- LLM ---
  @IsOptional() @EmptyAsUndefined() @IsString()
  OPENAI_API_KEY?: string;

  @IsOptional() @EmptyAsUndefined() @Matches(/^https?:\/\/\S+$/, { message: 'OPENAI_BASE_URL must be an http(s) URL' })
  OPENAI_BASE_URL?: string;

  // --- Workers ---
  @EnvList() @ArrayNotEmpty() @IsIn(QUEUE_NAMES, { each: true, message: `WORKER_QUEUES must list queues among ${QUEUE_NAMES.join(', ')}` })
  WORKER_QUEUES: QueueName[] = [...QUEUE_NAMES];

  @EnvInteger() @IsInt() @Min(1) @Max(1000)
  WORKER_CONCURRENCY = 10;

  /** A job's lock lasts this long and is renewed while the job runs; a dead worker's jobs are taken over after it. */
  @EnvInteger() @IsInt() @Min(500)
  WORKER_LOCK_DURATION_MS = 30_000;

  /** How often workers look for jobs whose worker died (stalled jobs). */
  @EnvInteger() @IsInt() @Min(500)
  WORKER_STALLED_INTERVAL_MS = 30_000;

  /** Worker threads for CPU-heavy processing (document analysis), so the event loop keeps renewing locks. */
  @EnvInteger() @IsInt() @Min(1) @Max(64)
  WORKER_CPU_THREADS = 1;

  /** Attempts of a job that fails with a transient error (exponential backoff from TASK_RETRY_DELAY_MS). */
  @EnvInteger() @IsInt() @Min(1) @Max(20)
  TASK_ATTEMPTS = 3;

  @EnvInteger() @IsInt() @Min(10)
  TASK_RETRY_DELAY_MS = 1000;

  /** How long a draining instance waits for in-flight work after SIGTERM before it closes anyway. */
  @EnvInteger() @IsInt() @Min(0)
  SHUTDOWN_GRACE_MS = 25_000;

  /** How often the `registry_cleanup` maintenance job runs (index entries whose records expired). */
  @EnvInteger() @IsInt() @Min(1000)
  MAINTENANCE_INTERVAL_MS = 60_000;

  /** How often the `presence_expiry` maintenance job turns users without a heartbeat in the window offline. */
  @EnvInteger() @IsInt() @Min(1000)
  MAINTENANCE_PRESENCE_INTERVAL_MS = 15_000;

  /** How often the `chroma_registration_expiry` maintenance job drops expired collection registrations from the users' records. */
  @EnvInteger() @IsInt() @Min(1000)
  MAINTENANCE_CHROMA_INTERVAL_MS = 60_000;

  /** How often the `health_summary` maintenance job measures the fleet (its result is kept for 3 intervals). */
  @EnvInteger() @IsInt() @Min(1000)
  MAINTENANCE_HEALTH_INTERVAL_MS = 60_000;

  // --- Operations ---
  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';

  @IsString() @MinLength(1)
  APP_VERSION = '1.0.0';

  /** Folder where non-HTTP apps touch their liveness file (see README, "Health checks"). */
  @IsString() @MinLength(1)
  LIVENESS_DIR = '/tmp';

  @EnvInteger() @IsInt() @Min(1000)
  LIVENESS_INTERVAL_MS = 5000;

  // --- LLM calls (libs/llm); OPENAI_API_KEY and OPENAI_BASE_URL are above ---
  /** The model used when a call names none; it must be one of LLM_ALLOWED_MODELS. */
  @IsString() @MinLength(1)
  LLM_MODEL = 'gpt-4o-mini';

  /** Models a caller may ask for; any other is INVALID_ARGS. */
  @EnvList() @ArrayNotEmpty() @IsString({ each: true })
  LLM_ALLOWED_MODELS: string[] = ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4'];

  /** How long one model call may take to answer (a streamed answer: until its first byte). */
  @EnvInteger() @IsInt() @Min(100)
  LLM_REQUEST_TIMEOUT_MS = 60_000;

  /** A streamed answer that sends nothing for this long ends as a TIMEOUT error. */
  @EnvInteger() @IsInt() @Min(100)
  LLM_STREAM_IDLE_TIMEOUT_MS = 20_000;

  /** Longest prompt (characters) a caller may send; longer is INVALID_ARGS. */
  @EnvInteger() @IsInt() @Min(1)
  LLM_MAX_PROMPT_CHARS = 32_000;

  /** max_tokens of each model call. */
  @EnvInteger() @IsInt() @Min(1)
  LLM_MAX_OUTPUT_TOKENS = 2000;

  /** Tokens of a chat thread the model sees with each `LLM.send_message` (system prompt and newest messages). */
  @EnvInteger() @IsInt() @Min(100)
  LLM_CONTEXT_WINDOW_TOKENS = 16_000;

  /** retry_after_ms advised when the provider is down (5xx, connection refused). */
  @EnvInteger() @IsInt() @Min(0)
  LLM_UNAVAILABLE_RETRY_MS = 5000;
  // --- User cron schedules (CRON.*, apps/cron-scheduler) ---
  /** The schedules' Redis keyspace (their hash tag): instances with the same one share the same schedules. */
  @Matches(/^[\w-]{1,40}$/, { message: 'CRON_KEYSPACE may hold 1-40 letters, digits, _ and -' })
  CRON_KEYSPACE = 'cron';

  /** How often each scheduler instance looks for due schedules (one sorted-set read, whatever their number). */
  @EnvInteger() @IsInt() @Min(20) @Max(60_000)
  CRON_CLAIM_INTERVAL_MS = 250;

  /** Due schedules claimed per claim step (one Lua call each); a full batch claims again at once. */
  @EnvInteger() @IsInt() @Min(1) @Max(5000)
  CRON_CLAIM_BATCH = 200;

  /** Runs one scheduler instance starts at once; it claims no more than it can start. */
  @EnvInteger() @IsInt() @Min(1) @Max(1000)
  CRON_RUN_CONCURRENCY = 64;

  /** A claimed run not finished within this long (its scheduler died) is claimed by another; also the per-schedule lock's TTL. */
  @EnvInteger() @IsInt() @Min(500)
  CRON_RUN_LEASE_MS = 30_000;

  /** A run older than this when a scheduler first sees it was missed (no scheduler ran): its schedule's catch_up decides. */
  @EnvInteger() @IsInt() @Min(0)
  CRON_MISSED_GRACE_MS = 60_000;

  /** Schedules one user may hold. */
  @EnvInteger() @IsInt() @Min(1) @Max(100_000)
  CRON_MAX_TASKS_PER_USER = 100;
  // --- Vector store (CHROMA_VECTOR.*) and embeddings ---
  /** Extra HTTP headers for Chroma (auth), as a JSON object of strings, e.g. {"x-chroma-token":"…"}. */
  @EnvJsonObject() @IsObject({ message: 'CHROMA_HEADERS must be a JSON object of header names to string values' })
  CHROMA_HEADERS: Record<string, string> = {};

  /** A Chroma call that has not answered after this long is UNAVAILABLE (the server is down or stuck). */
  @EnvInteger() @IsInt() @Min(100)
  CHROMA_TIMEOUT_MS = 30_000;

  /** retry_after_ms advised when Chroma is unavailable. */
  @EnvInteger() @IsInt() @Min(0)
  CHROMA_RETRY_AFTER_MS = 2000;

  /** Upper bound on records per Chroma write; the server's own max_batch_size is used when smaller (0: the server's). */
  @EnvInteger() @IsInt() @Min(0)
  CHROMA_MAX_BATCH_SIZE = 0;

  /** `glove` (offline word vectors, the default) or `openai` (needs OPENAI_API_KEY or OPENAI_BASE_URL). */
  @IsIn(['glove', 'openai'])
  EMBEDDING_PROVIDER: 'glove' | 'openai' = 'glove';

  @IsString() @MinLength(1)
  OPENAI_EMBEDDING_MODEL = 'text-embedding-3-small';

  /** Vector length asked of the OpenAI model; 0: the model's own. */
  @EnvInteger() @IsInt() @Min(0) @Max(65_536)
  OPENAI_EMBEDDING_DIMENSIONS = 0;

  /** Where the prepared GloVe table is cached between processes (a 137 MB file); empty: no cache. */
  @IsOptional() @EmptyAsUndefined() @IsString()
  EMBEDDINGS_CACHE_DIR?: string = join(tmpdir(), 'suite-embeddings');

  /** Texts per embeddings API request. */
  @EnvInteger() @IsInt() @Min(1) @Max(2048)
  OPENAI_EMBEDDING_BATCH_SIZE = 256;
  // --- Firebase calls, the workflow listener, the Realtime Database (issue 16) ---
  /** A Firestore or Realtime Database call still unanswered after this is UNAVAILABLE (the SDK retries meanwhile). */
  @EnvInteger() @IsInt() @Min(100)
  FIREBASE_OPERATION_TIMEOUT_MS = 10_000;

  /** retry_after_ms given to callers while Firestore or the Realtime Database is unreachable. */
  @EnvInteger() @IsInt() @Min(0)
  FIREBASE_RETRY_AFTER_MS = 5000;

  /** Service-account JSON file; unset means Google's default credentials (or the emulators). */
  @IsOptional() @EmptyAsUndefined() @IsString()
  FIREBASE_CREDENTIALS_FILE?: string;

  /** Realtime Database URL, e.g. https://<project>-default-rtdb.firebaseio.com; defaults from the project. */
  @IsOptional() @EmptyAsUndefined() @Matches(/^https?:\/\/\S+$/, { message: 'FIREBASE_DATABASE_URL must be an http(s) URL' })
  FIREBASE_DATABASE_URL?: string;

  /** host:port of a Realtime Database emulator (firebase-server in tests); unset in production. */
  @IsOptional() @EmptyAsUndefined() @Matches(/^[^:\s]+:\d{1,5}$/, { message: 'FIREBASE_DATABASE_EMULATOR_HOST must be host:port' })
  FIREBASE_DATABASE_EMULATOR_HOST?: string;

  /** A listener instance's lease on a user lasts this long and is renewed while it watches; a dead instance's users are taken over after it. */
  @EnvInteger() @IsInt() @Min(500)
  WORKFLOW_LEASE_TTL_MS = 15_000;

  /** How often each listener instance reconciles with the registry's presence (watch the online, drop the offline) and renews its leases. */
  @EnvInteger() @IsInt() @Min(100)
  WORKFLOW_RECONCILE_INTERVAL_MS = 5000;

  /** A Firestore listener silent this long (or in error) is re-subscribed; it resumes from the Redis cache. */
  @EnvInteger() @IsInt() @Min(500)
  WORKFLOW_WATCHDOG_SILENCE_MS = 600_000;

  /** Users one listener instance watches at most (two Firestore listeners each). */
  @EnvInteger() @IsInt() @Min(1)
  WORKFLOW_MAX_USERS_PER_INSTANCE = 5000;
  // --- LLM sessions and chat history (seeds 003, 004) ---
  /** Messages kept per thread; an append past it drops the oldest in the same atomic step. */
  @EnvInteger() @IsInt() @Min(1) @Max(1_000_000)
  CHAT_HISTORY_MAX_MESSAGES = 1000;

  /** Longest chat message accepted, in characters; a longer one is INVALID_ARGS. */
  @EnvInteger() @IsInt() @Min(1) @Max(10_000_000)
  CHAT_MESSAGE_MAX_CHARS = 32_000;
}

/** Names of the variables that a given app cannot run without. */
export type RequiredSetting = 'LISTENERS_SERVICE_TOKEN' | 'OPENAI_API_KEY';
