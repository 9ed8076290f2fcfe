import { Injectable } from '@nestjs/common';
import { RedisConnections, RedisScript } from '@suite/redis';
import {
  buildQuotaActiveTasksKey,
  buildQuotaLlmRequestsKey,
  buildQuotaStorageKey,
  buildRegistryCompanyQuotasKey,
  REGISTRY_COMPANIES_KEY,
} from '@suite/redis-namespaces';
import { CompanyQuotas, DEFAULT_QUOTAS } from './registry-records';

export type QuotaDecision = { admitted: true } | { admitted: false; quota: keyof CompanyQuotas; limit: number; retryAfterMs?: number };

/** Takes a task slot unless the user already holds `limit` (a task already holding one keeps it). */
const TAKE_TASK_SLOT = new RedisScript(
  'quota_take_task_slot',
  `
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 1 end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('SADD', KEYS[1], ARGV[1])
if redis.call('TTL', KEYS[1]) < tonumber(ARGV[3]) then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
return 1
`,
);

/** Adds ARGV[1] unless that passes the limit ARGV[2]; returns the new total or -1. ARGV[3]: TTL to set (0: none). */
const COUNT_WITHIN_LIMIT = new RedisScript(
  'quota_count_within_limit',
  `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used + tonumber(ARGV[1]) > tonumber(ARGV[2]) then return -1 end
used = redis.call('INCRBY', KEYS[1], ARGV[1])
if tonumber(ARGV[3]) > 0 and redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
return used
`,
);

const HOUR_MS = 3_600_000;
/** A quota change reaches every instance within this long; the limit is read once per period, not per call. */
const QUOTA_CACHE_MS = 5000;
/** A task slot frees when a task ends; this is the wait suggested before trying again. */
const TASK_SLOT_RETRY_MS = 5000;

/**
 * Company quotas of seed 000, enforced: each check and its consumption are one atomic step in
 * Redis, so concurrent callers can never together exceed a limit.
 */
@Injectable()
export class CompanyQuotasService {
  private readonly cached = new Map<string, { quotas: CompanyQuotas; at: number }>();

  constructor(private readonly redis: RedisConnections) {}

  async get(companyId: string): Promise<CompanyQuotas> {
    const hit = this.cached.get(companyId);
    if (hit && Date.now() - hit.at < QUOTA_CACHE_MS) return hit.quotas;
    const quotas = await this.read(companyId);
    if (this.cached.size > 10_000) this.cached.clear();
    this.cached.set(companyId, { quotas, at: Date.now() });
    return quotas;
  }

  private async read(companyId: string): Promise<CompanyQuotas> {
    const stored = await this.redis.command.hgetall(buildRegistryCompanyQuotasKey(companyId));
    const quotas = { ...DEFAULT_QUOTAS };
    for (const name of Object.keys(DEFAULT_QUOTAS) as Array<keyof CompanyQuotas>) {
      if (stored[name] !== undefined) quotas[name] = Number(stored[name]);
    }
    return quotas;
  }

  async set(companyId: string, changes: Partial<CompanyQuotas>): Promise<CompanyQuotas> {
    const fields = Object.entries(changes).filter(([, value]) => value !== undefined && value !== null);
    if (fields.length > 0) await this.redis.command.hset(buildRegistryCompanyQuotasKey(companyId), Object.fromEntries(fields));
    await this.redis.command.sadd(REGISTRY_COMPANIES_KEY, companyId);
    this.cached.delete(companyId);
    return this.get(companyId);
  }

  /** max_tasks_per_user: admits `taskId` as one of the user's concurrent active tasks. */
  async takeTaskSlot(companyId: string, userId: string, taskId: string, holdSeconds: number): Promise<QuotaDecision> {
    const limit = (await this.get(companyId)).max_tasks_per_user;
    const taken = await TAKE_TASK_SLOT.run(this.redis.command, [buildQuotaActiveTasksKey(companyId, userId)], [taskId, limit, holdSeconds]);
    return taken === 1 ? { admitted: true } : { admitted: false, quota: 'max_tasks_per_user', limit, retryAfterMs: TASK_SLOT_RETRY_MS };
  }

  async releaseTaskSlot(companyId: string, userId: string, taskId: string): Promise<void> {
    await this.redis.command.srem(buildQuotaActiveTasksKey(companyId, userId), taskId);
  }

  async activeTaskIds(companyId: string, userId: string): Promise<string[]> {
    return this.redis.command.smembers(buildQuotaActiveTasksKey(companyId, userId));
  }

  /** max_llm_requests_per_hour: counts one LLM request of the company in the current hour. */
  async consumeLlmRequest(companyId: string, now = Date.now()): Promise<QuotaDecision> {
    const limit = (await this.get(companyId)).max_llm_requests_per_hour;
    const window = Math.floor(now / HOUR_MS);
    const used = Number(await COUNT_WITHIN_LIMIT.run(this.redis.command, [buildQuotaLlmRequestsKey(companyId, window)], [1, limit, 7200]));
    if (used >= 0) return { admitted: true };
    return { admitted: false, quota: 'max_llm_requests_per_hour', limit, retryAfterMs: (window + 1) * HOUR_MS - now };
  }

  /** storage_limit_mb: reserves `bytes` of vector storage for the company. */
  async reserveStorage(companyId: string, bytes: number): Promise<QuotaDecision> {
    const limitMb = (await this.get(companyId)).storage_limit_mb;
    const used = Number(await COUNT_WITHIN_LIMIT.run(this.redis.command, [buildQuotaStorageKey(companyId)], [Math.ceil(bytes), limitMb * 1024 * 1024, 0]));
    return used >= 0 ? { admitted: true } : { admitted: false, quota: 'storage_limit_mb', limit: limitMb };
  }

  async releaseStorage(companyId: string, bytes: number): Promise<void> {
    await this.redis.command.decrby(buildQuotaStorageKey(companyId), Math.ceil(bytes));
  }

  async storageUsedBytes(companyId: string): Promise<number> {
    return Number((await this.redis.command.get(buildQuotaStorageKey(companyId))) ?? 0);
  }
}
