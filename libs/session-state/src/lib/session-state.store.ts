import { Injectable } from '@nestjs/common';
import { RedisClient, RedisConnections } from '@suite/redis';
import {
  buildSessionKey,
  buildSessionUserIndexKey,
  isSafeKeyPart,
  RedisTTL,
  SESSION_INDEX_ALL_KEY,
  SESSION_INDEX_ON_CHAT_KEY,
  SESSION_INDEX_USERS_KEY,
} from '@suite/redis-namespaces';
import { decodeSessionHash, defaultSessionFields, EncodedSessionFields, encodeSessionFields } from './session-hash';
import { WRITE_SESSION } from './session-scripts';
import { emptySessionState, SessionState, SessionStats, StoredSessionState, ThreadState } from './session-state.types';
import type { TypedValue } from './typed-json';

type WriteMode = 'update' | 'upsert' | 'replace';

/** The script's trailing arguments: every field's default, set where absent. */
const DEFAULT_FIELD_ARGUMENTS = defaultSessionFields().flat();

/** An id that would break a key's structure (see SAFE_KEY_PART_PATTERN). */
export class InvalidSessionKeyError extends Error {
  constructor(readonly parameter: string) {
    super(`${parameter} must be 1-256 characters without ':', braces, whitespace or glob characters`);
  }
}

/**
 * Seed 003's SessionStateManager on `session:{uid}:{cid}:state` (2 h, refreshed on every write).
 * The session is a hash with one field per seed field (typed JSON, so dates and sets round-trip)
 * and one field per thread of `thread_states`; every write is one Lua script on that one key, so
 * a partial update is atomic and never rewrites a field it does not name.
 * Listing and stats read sorted sets scored by expiry, kept beside the writes and pruned lazily:
 * no KEYS, no SCAN.
 */
@Injectable()
export class SessionStateStore {
  readonly ttlSeconds = RedisTTL.SESSION;

  constructor(private readonly redis: RedisConnections) {}

  private get client(): RedisClient {
    return this.redis.command;
  }

  /** Full save: every field of `state` (defaults for those missing); threads not in it are dropped. */
  async save(userId: string, companyId: string, state: Partial<SessionState>): Promise<{ created: boolean }> {
    const outcome = await this.write('replace', userId, companyId, { ...emptySessionState(), ...state });
    return { created: outcome === 1 };
  }

  /**
   * Writes the named fields, creating the session when missing; `created` says whether this call
   * created it. `encoded` names more fields, given as their stored typed JSON text (it wins over
   * the same field in `fields`).
   */
  async upsert(userId: string, companyId: string, fields: Partial<SessionState>, encoded: EncodedSessionFields = {}): Promise<{ created: boolean }> {
    const outcome = await this.write('upsert', userId, companyId, fields, encoded);
    return { created: outcome === 1 };
  }

  /** Partial update of an existing session; false when there is none. `thread_states` merges per thread. */
  async update(userId: string, companyId: string, fields: Partial<SessionState>): Promise<boolean> {
    return (await this.write('update', userId, companyId, fields)) !== -1;
  }

  async load(userId: string, companyId: string): Promise<StoredSessionState | null> {
    const hash = await this.client.hgetall(this.key(userId, companyId));
    return hash['created_at'] === undefined ? null : decodeSessionHash(hash);
  }

  async delete(userId: string, companyId: string): Promise<boolean> {
    const member = `${userId}:${companyId}`;
    const [deleted] = await Promise.all([
      this.client.del(this.key(userId, companyId)),
      this.client.zrem(buildSessionUserIndexKey(userId), companyId),
      this.client.zrem(SESSION_INDEX_ALL_KEY, member),
      this.client.zrem(SESSION_INDEX_ON_CHAT_KEY, member),
    ]);
    if ((await this.listUserSessions(userId)).length === 0) await this.client.zrem(SESSION_INDEX_USERS_KEY, userId);
    return deleted === 1;
  }

  /** Seed's update_presence: on the chat page or not, and the active thread (whose activity is stamped). */
  async updatePresence(userId: string, companyId: string, isOnChatPage: boolean, currentThread?: string | null): Promise<boolean> {
    const fields: Partial<SessionState> = { is_on_chat_page: isOnChatPage };
    if (currentThread !== undefined) fields.current_active_thread = currentThread;
    if (currentThread) fields.thread_states = { [this.checkPart('thread_key', currentThread)]: { last_activity: new Date() } };
    return this.update(userId, companyId, fields);
  }

  /** Stamps a thread's last activity (and any extra details), leaving the other threads alone. */
  async updateThreadActivity(userId: string, companyId: string, threadKey: string, details: Record<string, TypedValue> = {}): Promise<boolean> {
    const threadState: ThreadState = { ...details, last_activity: new Date() };
    return this.update(userId, companyId, { thread_states: { [this.checkPart('thread_key', threadKey)]: threadState } });
  }

  async updateJobsData(userId: string, companyId: string, jobsData: SessionState['jobs_data'], jobsMetrics?: SessionState['jobs_metrics']): Promise<boolean> {
    return this.update(userId, companyId, jobsMetrics === undefined ? { jobs_data: jobsData } : { jobs_data: jobsData, jobs_metrics: jobsMetrics });
  }

  /** Whether the user is on the chat page with `threadKey` active, as any instance last wrote it. */
  async isUserOnThread(userId: string, companyId: string, threadKey: string): Promise<boolean> {
    const [onPage, thread] = await this.client.hmget(this.key(userId, companyId), 'is_on_chat_page', 'current_active_thread');
    return onPage === 'true' && thread === JSON.stringify(threadKey);
  }

  async exists(userId: string, companyId: string): Promise<boolean> {
    return (await this.client.exists(this.key(userId, companyId))) === 1;
  }

  async extendTtl(userId: string, companyId: string, seconds: number = this.ttlSeconds): Promise<boolean> {
    const extended = (await this.client.expire(this.key(userId, companyId), seconds)) === 1;
    if (extended) await this.index(userId, companyId, Date.now() + seconds * 1000, undefined);
    return extended;
  }

  /** Company ids of the user's live sessions. */
  async listUserSessions(userId: string): Promise<string[]> {
    const index = buildSessionUserIndexKey(this.checkPart('user_id', userId));
    await this.client.zremrangebyscore(index, '-inf', Date.now());
    return this.client.zrange(index, 0, -1);
  }

  async stats(): Promise<SessionStats> {
    const now = Date.now();
    const sets = [SESSION_INDEX_ALL_KEY, SESSION_INDEX_USERS_KEY, SESSION_INDEX_ON_CHAT_KEY];
    await Promise.all(sets.map((set) => this.client.zremrangebyscore(set, '-inf', now)));
    const [sessions, users, onChat] = await Promise.all(sets.map((set) => this.client.zcard(set)));
    return { total_sessions: sessions, total_users: users, sessions_on_chat_page: onChat, ttl_seconds: this.ttlSeconds };
  }

  private async write(mode: WriteMode, userId: string, companyId: string, fields: Partial<SessionState>, encoded: EncodedSessionFields = {}): Promise<number> {
    const key = this.key(userId, companyId);
    for (const thread of Object.keys(fields.thread_states ?? {})) this.checkPart('thread_key', thread);
    const named = [...encodeSessionFields(fields), ...Object.entries(encoded).filter((pair): pair is [string, string] => pair[1] !== undefined)];
    const now = new Date();
    const expiresAtMs = now.getTime() + this.ttlSeconds * 1000;
    const written = WRITE_SESSION.run(
      this.client,
      [key],
      [mode, this.ttlSeconds, now.toISOString(), userId, companyId, named.length, ...named.flat(), ...DEFAULT_FIELD_ARGUMENTS],
    ) as Promise<number>;
    if (mode !== 'update') {
      // An upsert or a save always writes the session, so its index entries go out in the same round trip.
      const [outcome] = await Promise.all([written, this.index(userId, companyId, expiresAtMs, fields.is_on_chat_page)]);
      return outcome;
    }
    // An update of a missing session writes nothing: its index entries wait for the script's answer.
    const outcome = await written;
    if (outcome !== -1) await this.index(userId, companyId, expiresAtMs, fields.is_on_chat_page);
    return outcome;
  }

  /** Keeps the index sets beside the session: each is one key, so each command runs on any topology. */
  private async index(userId: string, companyId: string, expiresAtMs: number, onChatPage: boolean | undefined): Promise<void> {
    const member = `${userId}:${companyId}`;
    const onChat =
      onChatPage === true
        ? this.client.zadd(SESSION_INDEX_ON_CHAT_KEY, expiresAtMs, member)
        : onChatPage === false
          ? this.client.zrem(SESSION_INDEX_ON_CHAT_KEY, member)
          : this.client.zadd(SESSION_INDEX_ON_CHAT_KEY, 'XX', expiresAtMs, member);
    await Promise.all([
      this.client.zadd(buildSessionUserIndexKey(userId), expiresAtMs, companyId),
      this.client.zadd(SESSION_INDEX_ALL_KEY, expiresAtMs, member),
      this.client.zadd(SESSION_INDEX_USERS_KEY, 'GT', expiresAtMs, userId),
      onChat,
    ]);
  }

  private key(userId: string, companyId: string): string {
    return buildSessionKey(this.checkPart('user_id', userId), this.checkPart('company_id', companyId));
  }

  private checkPart(parameter: string, value: string): string {
    if (!isSafeKeyPart(value)) throw new InvalidSessionKeyError(parameter);
    return value;
  }
}
