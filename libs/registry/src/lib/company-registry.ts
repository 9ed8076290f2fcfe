import { Injectable } from '@nestjs/common';
import { execChecked, RedisConnections, RedisScript } from '@suite/redis';
import {
  buildRegistryCompanyKey,
  buildRegistryCompanySetKey,
  buildRegistryCompanyUsersKey,
  CompanySet,
  REGISTRY_COMPANIES_KEY,
  RedisTTL,
} from '@suite/redis-namespaces';
import { CompanyQuotasService } from './company-quotas';
import { CompanyRecord } from './registry-records';

const COMPANY_SETS: CompanySet[] = ['chroma_collections', 'active_tasks', 'llm_conversations'];
/** Removes a user from the company's active users if its entry still belongs to that session (a newer login wins). */
const REMOVE_SESSION_USER = new RedisScript(
  'company_remove_session_user',
  `
local entry = redis.call('HGET', KEYS[1], ARGV[1])
if not entry then return 0 end
local ok, decoded = pcall(cjson.decode, entry)
if ok and type(decoded) == 'table' and decoded.session_id ~= ARGV[2] then return 0 end
return redis.call('HDEL', KEYS[1], ARGV[1])
`,
);
/** ensure() refreshes a 24 h TTL: once per company per process every 10 minutes is plenty. */
const ENSURE_EVERY_MS = 10 * 60_000;

/** The company registry of seed 000 (`registry:company:{cid}`), as a hash, a users hash and sets. */
@Injectable()
export class CompanyRegistry {
  private readonly ensuredAt = new Map<string, number>();

  constructor(
    private readonly redis: RedisConnections,
    private readonly quotas: CompanyQuotasService,
  ) {}

  /** Creates the company record if needed (first writer sets created_at) and refreshes its TTL. */
  async ensure(companyId: string, now = new Date()): Promise<void> {
    if (now.getTime() - (this.ensuredAt.get(companyId) ?? 0) < ENSURE_EVERY_MS) return;
    if (this.ensuredAt.size > 10_000) this.ensuredAt.clear();
    this.ensuredAt.set(companyId, now.getTime());
    const key = buildRegistryCompanyKey(companyId);
    await Promise.all([
      execChecked(this.redis.command.multi().hsetnx(key, 'company_id', companyId).hsetnx(key, 'created_at', now.toISOString()).expire(key, RedisTTL.REGISTRY_COMPANY)),
      this.redis.command.sadd(REGISTRY_COMPANIES_KEY, companyId),
    ]);
  }

  async addUser(companyId: string, userId: string, sessionId: string, now = new Date()): Promise<void> {
    const users = buildRegistryCompanyUsersKey(companyId);
    await Promise.all([
      this.ensure(companyId, now),
      execChecked(
        this.redis.command
          .multi()
          .hset(users, userId, JSON.stringify({ role: 'user', last_activity: now.toISOString(), session_id: sessionId }))
          .expire(users, RedisTTL.REGISTRY_COMPANY),
      ),
    ]);
  }

  /** Takes the user out of `get_company_active_users` when its session ends; returns whether it was listed for that session. */
  async removeUser(companyId: string, userId: string, sessionId: string): Promise<boolean> {
    return (await REMOVE_SESSION_USER.run(this.redis.command, [buildRegistryCompanyUsersKey(companyId)], [userId, sessionId])) === 1;
  }

  async addToSet(companyId: string, set: CompanySet, member: string): Promise<void> {
    const key = buildRegistryCompanySetKey(companyId, set);
    // Plain commands: the command connection sends those of one turn in one write (a MULTI would be a write of its own).
    await Promise.all([this.ensure(companyId), this.redis.command.sadd(key, member), this.redis.command.expire(key, RedisTTL.REGISTRY_COMPANY)]);
  }

  async removeFromSet(companyId: string, set: CompanySet, member: string): Promise<void> {
    await this.redis.command.srem(buildRegistryCompanySetKey(companyId, set), member);
  }

  async activeUsers(companyId: string): Promise<string[]> {
    return (await this.redis.command.hkeys(buildRegistryCompanyUsersKey(companyId))).sort();
  }

  async get(companyId: string): Promise<CompanyRecord | null> {
    const [fields, users, quotas, ...sets] = await Promise.all([
      this.redis.command.hgetall(buildRegistryCompanyKey(companyId)),
      this.redis.command.hgetall(buildRegistryCompanyUsersKey(companyId)),
      this.quotas.get(companyId),
      ...COMPANY_SETS.map((set) => this.redis.command.smembers(buildRegistryCompanySetKey(companyId, set))),
    ]);
    if (!fields['company_id']) return null;
    const [collections, activeTasks, conversations] = sets.map((members) => members.sort());
    return {
      company_info: { company_id: companyId, company_name: fields['company_name'] ?? null, created_at: fields['created_at'] ?? null },
      active_users: Object.fromEntries(Object.entries(users).map(([userId, entry]) => [userId, JSON.parse(entry)])),
      services: { chroma_collections: collections, active_tasks: activeTasks, llm_conversations: conversations },
      quotas,
    };
  }
}
