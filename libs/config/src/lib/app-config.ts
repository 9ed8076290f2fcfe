import {
  ArrayNotEmpty,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
} from 'class-validator';
import { EmptyAsUndefined, EnvBoolean, EnvInteger, EnvList } from './env-transforms';

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

  /** How often the cron scheduler queues registry maintenance (expired presence, tasks, indexes). */
  @EnvInteger() @IsInt() @Min(1000)
  MAINTENANCE_INTERVAL_MS = 60_000;

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
