import { Injectable } from '@nestjs/common';
import { execChecked, RedisConnections, RedisScript } from '@suite/redis';
import {
  buildRegistryCompanyPresenceKey,
  buildRegistryUnifiedKey,
  buildRegistryUnifiedSetKey,
  PRESENCE_WINDOW_SECONDS,
  REGISTRY_PRESENCE_KEY,
  REGISTRY_UNIFIED_USERS_KEY,
  RedisTTL,
  UnifiedUserSet,
} from '@suite/redis-namespaces';
import { CompanyRegistry } from './company-registry';
import { PresenceMirror } from './presence-mirror';
import { RegistryLog } from './registry-log';
import { UNIFIED_USER_SETS, UnifiedUserRecord } from './registry-records';

/** Refreshes the heartbeat of an existing record; returns its current company (or false). */
const TOUCH_USER = new RedisScript(
  'unified_touch_user',
  `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
redis.call('HSET', KEYS[1], 'last_seen_at', ARGV[1], 'last_heartbeat', ARGV[1], 'last_update', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return redis.call('HGET', KEYS[1], 'current_company_id') or ''
`,
);

export interface SessionRegistration {
  userId: string;
  sessionId: string;
  companyId: string;
  authorizedCompanies: string[];
  backendRoute?: string;
}

/**
 * The unified user registry of seed 000 (`registry:unified:{uid}`). Stored as per-field hashes
 * and sets rather than one JSON blob, so concurrent writers never lose each other's updates;
 * read back in the seed's JSON shape.
 */
@Injectable()
export class UnifiedRegistry {
  constructor(
    private readonly redis: RedisConnections,
    private readonly companies: CompanyRegistry,
    private readonly mirror: PresenceMirror,
    private readonly log: RegistryLog,
  ) {}

  async registerUserSession(registration: SessionRegistration): Promise<UnifiedUserRecord> {
    const { userId, sessionId, companyId, authorizedCompanies } = registration;
    const now = new Date();
    const key = buildRegistryUnifiedKey(userId);
    const companies = [...new Set([companyId, ...authorizedCompanies])];
    await execChecked(
      this.redis.command.multi().hset(key, {
        user_id: userId,
        session_id: sessionId,
        // A route given by REGISTRY.register_user stays unless this call names another.
        ...(registration.backendRoute ? { backend_route: registration.backendRoute } : {}),
        last_seen_at: now.toISOString(),
        last_heartbeat: now.toISOString(),
        ttl_seconds: PRESENCE_WINDOW_SECONDS,
        current_company_id: companyId,
        authorized_companies_ids: JSON.stringify(authorizedCompanies),
        company_roles: JSON.stringify(Object.fromEntries(companies.map((company) => [company, 'user']))),
        last_update: now.getTime() / 1000,
      }).expire(key, RedisTTL.REGISTRY_UNIFIED),
    );
    await Promise.all([
      this.redis.command.sadd(REGISTRY_UNIFIED_USERS_KEY, userId),
      this.redis.command.zadd(REGISTRY_PRESENCE_KEY, now.getTime(), userId),
      this.redis.command.zadd(buildRegistryCompanyPresenceKey(companyId), now.getTime(), userId),
      this.companies.addUser(companyId, userId, sessionId, now),
      ...UNIFIED_USER_SETS.map((set) => this.redis.command.expire(buildRegistryUnifiedSetKey(userId, set), RedisTTL.REGISTRY_UNIFIED)),
    ]);
    this.mirror.statusChanged(userId, 'online', authorizedCompanies);
    this.log.operation('register_user_session', { user_id: userId, session_id: sessionId, company_id: companyId });
    return (await this.getUserRegistry(userId)) as UnifiedUserRecord;
  }

  /** The unified half of the legacy `REGISTRY.register_user` double write (no company is known there). */
  async recordLegacyRegistration(userId: string, sessionId: string, backendRoute: string, at: Date): Promise<void> {
    const key = buildRegistryUnifiedKey(userId);
    await execChecked(
      this.redis.command.multi().hset(key, {
        user_id: userId,
        session_id: sessionId,
        backend_route: backendRoute,
        last_seen_at: at.toISOString(),
        last_heartbeat: at.toISOString(),
        ttl_seconds: PRESENCE_WINDOW_SECONDS,
        last_update: at.getTime() / 1000,
      }).expire(key, RedisTTL.REGISTRY_UNIFIED),
    );
    await this.redis.command.sadd(REGISTRY_UNIFIED_USERS_KEY, userId);
    this.log.operation('unified_double_write', { user_id: userId, session_id: sessionId });
  }

  /** The unified half of `REGISTRY.unregister_session`: the session's company no longer lists the user. */
  async endSession(userId: string, sessionId: string): Promise<void> {
    const companyId = await this.redis.command.hget(buildRegistryUnifiedKey(userId), 'current_company_id');
    if (companyId) await this.companies.removeUser(companyId, userId, sessionId);
    this.log.operation('unified_end_session', { user_id: userId, session_id: sessionId, company_id: companyId });
  }

  async updateUserHeartbeat(userId: string): Promise<boolean> {
    const now = new Date();
    const company = await TOUCH_USER.run(this.redis.command, [buildRegistryUnifiedKey(userId)], [now.toISOString(), now.getTime() / 1000, RedisTTL.REGISTRY_UNIFIED]);
    if (company === null || company === undefined) return false;
    const updates: Array<Promise<unknown>> = [this.redis.command.zadd(REGISTRY_PRESENCE_KEY, now.getTime(), userId)];
    if (typeof company === 'string' && company.length > 0) {
      updates.push(this.redis.command.zadd(buildRegistryCompanyPresenceKey(company), now.getTime(), userId));
    }
    await Promise.all(updates);
    this.log.operation('update_user_heartbeat', { user_id: userId });
    return true;
  }

  async getUserRegistry(userId: string): Promise<UnifiedUserRecord | null> {
    const [fields, presence, ...sets] = await Promise.all([
      this.redis.command.hgetall(buildRegistryUnifiedKey(userId)),
      this.redis.command.zscore(REGISTRY_PRESENCE_KEY, userId),
      ...UNIFIED_USER_SETS.map((set) => this.redis.command.smembers(buildRegistryUnifiedSetKey(userId, set))),
    ]);
    if (!fields['user_id']) return null;
    const [collections, conversations, activeTasks, taskHistory] = sets.map((members) => members.sort());
    const online = presence !== null && Number(presence) >= Date.now() - PRESENCE_WINDOW_SECONDS * 1000;
    return {
      user_info: {
        user_id: fields['user_id'],
        session_id: fields['session_id'] ?? '',
        backend_route: fields['backend_route'] ?? '',
        last_seen_at: fields['last_seen_at'] ?? '',
        status: online ? 'online' : 'offline',
      },
      companies: {
        current_company_id: fields['current_company_id'] ?? null,
        authorized_companies_ids: parseJson(fields['authorized_companies_ids'], []),
        company_roles: parseJson(fields['company_roles'], {}),
      },
      services: {
        chroma: { collections, last_heartbeat: fields['chroma_last_heartbeat'] ?? null },
        llm: { active_conversations: conversations, model_preferences: parseJson(fields['model_preferences'], {}) },
        tasks: { active_tasks: activeTasks, task_history: taskHistory },
      },
      heartbeat: { last_heartbeat: fields['last_heartbeat'] ?? null, ttl_seconds: Number(fields['ttl_seconds'] ?? PRESENCE_WINDOW_SECONDS) },
    };
  }

  async addToSet(userId: string, set: UnifiedUserSet, member: string): Promise<void> {
    const key = buildRegistryUnifiedSetKey(userId, set);
    await Promise.all([this.redis.command.sadd(key, member), this.redis.command.expire(key, RedisTTL.REGISTRY_UNIFIED)]);
  }

  /** Ids of the user's active tasks and task history. */
  async taskIds(userId: string): Promise<string[]> {
    const [active, history] = await Promise.all([
      this.redis.command.smembers(buildRegistryUnifiedSetKey(userId, 'active_tasks')),
      this.redis.command.smembers(buildRegistryUnifiedSetKey(userId, 'task_history')),
    ]);
    return [...new Set([...active, ...history])];
  }

  async moveTaskToHistory(userId: string, taskId: string): Promise<void> {
    await Promise.all([this.redis.command.srem(buildRegistryUnifiedSetKey(userId, 'active_tasks'), taskId), this.addToSet(userId, 'task_history', taskId)]);
  }
}

function parseJson<T>(text: string | undefined, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

