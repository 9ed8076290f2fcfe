import { Injectable } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { asError } from '@suite/logging';
import { execChecked, RedisConnections, RedisScript } from '@suite/redis';
import {
  buildRegistryCompanyPresenceKey,
  buildRegistrySessionKey,
  buildRegistryUserKey,
  PRESENCE_WINDOW_SECONDS,
  REGISTRY_PRESENCE_KEY,
  RedisTTL,
} from '@suite/redis-namespaces';
import { PresenceMirror } from './presence-mirror';
import { REFRESH_IF_EXISTS } from './refresh-if-exists';
import { RegistryLog } from './registry-log';
import { LegacyUserRecord } from './registry-records';
import { UnifiedRegistry } from './unified-registry';

/** Takes back a presence score written for a user that turned out not to be registered. */
const WITHDRAW_PRESENCE = new RedisScript(
  'legacy_withdraw_presence',
  `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == ARGV[2] then redis.call('ZREM', KEYS[1], ARGV[1]) end
return 0
`,
);

/** Deletes the user's record only if it still belongs to this session (a newer login wins). */
const UNREGISTER_SESSION = new RedisScript(
  'legacy_unregister_session',
  `
if redis.call('HGET', KEYS[1], 'session_id') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`,
);

export interface HeartbeatResult {
  success: boolean;
  user_id: string;
  last_seen_at: string | null;
}

/**
 * The registry the Reflex app already calls (`REGISTRY.*`): `registry:user:{uid}` exactly as
 * before, a session → user index, and presence in sorted sets scored by last heartbeat (no KEYS).
 * With UNIFIED_REGISTRY_ENABLED it also writes the unified records; that write can fail without
 * failing the legacy call.
 */
@Injectable()
export class PresenceRegistry {
  constructor(
    private readonly redis: RedisConnections,
    private readonly config: AppConfig,
    private readonly unified: UnifiedRegistry,
    private readonly mirror: PresenceMirror,
    private readonly log: RegistryLog,
  ) {}

  async registerUser(userId: string, sessionId: string, backendRoute = ''): Promise<LegacyUserRecord> {
    const now = new Date();
    const record: LegacyUserRecord = { user_id: userId, session_id: sessionId, backend_route: backendRoute, last_seen_at: now.toISOString() };
    const key = buildRegistryUserKey(userId);
    await Promise.all([
      execChecked(this.redis.command.multi().del(key).hset(key, { ...record }).expire(key, RedisTTL.REGISTRY_USER)),
      this.redis.command.set(buildRegistrySessionKey(sessionId), userId, 'EX', RedisTTL.REGISTRY_USER),
      this.redis.command.zadd(REGISTRY_PRESENCE_KEY, now.getTime(), userId),
    ]);
    this.log.operation('register_user', { ...record });
    if (this.config.UNIFIED_REGISTRY_ENABLED) {
      await this.unified.recordLegacyRegistration(userId, sessionId, backendRoute, now).catch((error: unknown) => {
        this.log.warn('unified_write_failed', { operation: 'register_user', user_id: userId, error: asError(error).message });
      });
    }
    this.mirror.statusChanged(userId, 'online');
    return record;
  }

  async unregisterSession(sessionId: string): Promise<{ success: boolean; user_id: string | null }> {
    const userId = await this.redis.command.get(buildRegistrySessionKey(sessionId));
    if (!userId) return { success: false, user_id: null };
    const removed = await UNREGISTER_SESSION.run(this.redis.command, [buildRegistryUserKey(userId)], [sessionId]);
    await this.redis.command.del(buildRegistrySessionKey(sessionId));
    if (removed === 1 && !(await this.withdrawPresence(userId))) this.mirror.statusChanged(userId, 'offline');
    if (removed === 1 && this.config.UNIFIED_REGISTRY_ENABLED) {
      await this.unified.endSession(userId, sessionId).catch((error: unknown) => {
        this.log.warn('unified_write_failed', { operation: 'unregister_session', user_id: userId, error: asError(error).message });
      });
    }
    this.log.operation('unregister_session', { session_id: sessionId, user_id: userId, removed: removed === 1 });
    return { success: removed === 1, user_id: userId };
  }

  /**
   * Takes the user out of presence after a logout. A login that lands meanwhile (from another
   * instance) re-creates the record, possibly before this ZREM: its presence is then put back, with
   * the login's own time. Two steps rather than one script, so it holds on Redis Cluster too, where
   * the record and the presence set live in different slots. Returns whether the user stayed online.
   */
  private async withdrawPresence(userId: string): Promise<boolean> {
    await this.redis.command.zrem(REGISTRY_PRESENCE_KEY, userId);
    const lastSeenAt = await this.redis.command.hget(buildRegistryUserKey(userId), 'last_seen_at');
    const lastSeen = lastSeenAt ? Date.parse(lastSeenAt) : Number.NaN;
    if (Number.isNaN(lastSeen)) return false;
    await this.redis.command.zadd(REGISTRY_PRESENCE_KEY, 'GT', lastSeen, userId);
    return true;
  }

  async heartbeat(userId: string, sessionId?: string): Promise<HeartbeatResult> {
    const now = new Date();
    const nowIso = now.toISOString();
    // One round trip: the record refresh and the presence score go together; the score is taken
    // back in the rare case the user turns out not to be registered.
    const [refreshed] = await Promise.all([
      REFRESH_IF_EXISTS.run(this.redis.command, [buildRegistryUserKey(userId)], ['last_seen_at', nowIso, RedisTTL.REGISTRY_USER]),
      this.redis.command.zadd(REGISTRY_PRESENCE_KEY, 'GT', now.getTime(), userId),
    ]);
    const success = refreshed === 1;
    if (!success) await WITHDRAW_PRESENCE.run(this.redis.command, [REGISTRY_PRESENCE_KEY], [userId, String(now.getTime())]);
    if (success) {
      if (this.config.UNIFIED_REGISTRY_ENABLED) {
        await this.unified.updateUserHeartbeat(userId).catch((error: unknown) => {
          this.log.warn('unified_write_failed', { operation: 'heartbeat', user_id: userId, error: asError(error).message });
        });
      }
      this.mirror.heartbeat(userId);
    }
    this.log.operation('heartbeat', { user_id: userId, session_id: sessionId, success });
    return { success, user_id: userId, last_seen_at: success ? nowIso : null };
  }

  async getUser(userId: string): Promise<LegacyUserRecord | null> {
    const fields = await this.redis.command.hgetall(buildRegistryUserKey(userId));
    if (!fields['user_id']) return null;
    return { user_id: fields['user_id'], session_id: fields['session_id'] ?? '', backend_route: fields['backend_route'] ?? '', last_seen_at: fields['last_seen_at'] ?? '' };
  }

  async isOnline(userId: string): Promise<boolean> {
    const score = await this.redis.command.zscore(REGISTRY_PRESENCE_KEY, userId);
    return score !== null && Number(score) >= Date.now() - PRESENCE_WINDOW_SECONDS * 1000;
  }

  /** Users with a heartbeat in the last 90 s, of one company when given (as registered by UNIFIED_REGISTRY). */
  async listOnlineUsers(companyId?: string): Promise<string[]> {
    const key = companyId ? buildRegistryCompanyPresenceKey(companyId) : REGISTRY_PRESENCE_KEY;
    const users = await this.redis.command.zrangebyscore(key, Date.now() - PRESENCE_WINDOW_SECONDS * 1000, '+inf');
    if (!companyId) return users.sort();
    // A company lists its users only while they are online at all.
    const scores = users.length ? await this.redis.command.zmscore(REGISTRY_PRESENCE_KEY, ...users) : [];
    const since = Date.now() - PRESENCE_WINDOW_SECONDS * 1000;
    return users.filter((_user, index) => scores[index] !== null && Number(scores[index]) >= since).sort();
  }
}
