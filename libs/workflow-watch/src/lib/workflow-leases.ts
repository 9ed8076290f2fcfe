import { Injectable } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { EventPublisher, UserEventDraft } from '@suite/events';
import { RedisConnections } from '@suite/redis';
import { buildEventStreamKey, buildUserChannel, buildWorkflowCacheKey, buildWorkflowFeedsKey, buildWorkflowFenceKey, buildWorkflowLeaseKey } from '@suite/redis-namespaces';
import { ACQUIRE_LEASE, COMMIT_CONFLICT, COMMIT_STALE, FENCED_CHANNEL_PUBLISH, FENCED_COMMIT, RELEASE_LEASE, RENEW_LEASE } from './workflow-scripts';

/** A lease this instance holds on a user. */
export interface UserLease {
  userId: string;
  token: string;
  fence: number;
}

/** A change to one cache entry, with the events to publish with it. */
export interface CacheCommit {
  field: string;
  /** The value we compared against; undefined when the entry was absent. */
  expected: string | undefined;
  /** The new value; undefined deletes the entry. */
  next: string | undefined;
  events: UserEventDraft[];
}

export type CommitOutcome = { status: 'committed'; eventIds: string[] } | { status: 'stale' } | { status: 'conflict' };

/** A cache outlives its last write by this much (a user offline that long starts afresh). */
const CACHE_TTL_MS = 24 * 3600 * 1000;

/** The Redis side of watching a user: leases with owner token and fence, the value cache, fenced publish. */
@Injectable()
export class WorkflowLeases {
  constructor(
    private readonly redis: RedisConnections,
    private readonly config: AppConfig,
    private readonly publisher: EventPublisher,
  ) {}

  /** The lease, when this instance got it (or already had it); null when another instance holds it. */
  async acquire(userId: string, token: string): Promise<UserLease | null> {
    const [status, value] = (await ACQUIRE_LEASE.run(this.redis.command, [buildWorkflowLeaseKey(userId), buildWorkflowFenceKey(userId)], [token, this.config.WORKFLOW_LEASE_TTL_MS])) as [number, number];
    return status === 0 ? null : { userId, token, fence: value };
  }

  /** Extends the lease; false when it was lost (expired and perhaps taken by another instance). */
  async renew(lease: UserLease): Promise<boolean> {
    const renewed = await RENEW_LEASE.run(this.redis.command, [buildWorkflowLeaseKey(lease.userId)], [lease.token, lease.fence, this.config.WORKFLOW_LEASE_TTL_MS]);
    return renewed === 1;
  }

  /** Gives the lease up (if still ours); `dropCache` forgets the user's last values too (the user went offline). */
  async release(lease: UserLease, dropCache: boolean): Promise<boolean> {
    const released = await RELEASE_LEASE.run(
      this.redis.command,
      [buildWorkflowLeaseKey(lease.userId), buildWorkflowCacheKey(lease.userId), buildWorkflowFeedsKey(lease.userId)],
      [lease.token, lease.fence, dropCache ? '1' : '0'],
    );
    return released === 1;
  }

  /** The user's cache: field `<collection>/<doc id>` → last value. */
  loadCache(userId: string): Promise<Record<string, string>> {
    return this.redis.command.hgetall(buildWorkflowCacheKey(userId));
  }

  loadCacheEntry(userId: string, field: string): Promise<string | null> {
    return this.redis.command.hget(buildWorkflowCacheKey(userId), field);
  }

  /** Writes a cache entry and publishes its events in one fenced step (see FENCED_COMMIT). */
  async commit(lease: UserLease, change: CacheCommit): Promise<CommitOutcome> {
    const script = FENCED_COMMIT[change.events.length];
    if (!script) throw new Error(`a commit carries at most ${FENCED_COMMIT.length - 1} events`);
    const first = change.events[0];
    const result = (await script.run(
      this.redis.command,
      [buildWorkflowLeaseKey(lease.userId), buildWorkflowCacheKey(lease.userId), buildEventStreamKey(lease.userId)],
      [
        lease.token,
        lease.fence,
        change.field,
        change.expected === undefined ? '0' : '1',
        change.expected ?? '',
        change.next === undefined ? '0' : '1',
        change.next ?? '',
        CACHE_TTL_MS,
        first?.maxlen ?? this.config.EVENT_STREAM_MAXLEN,
        first?.ttlSeconds ?? this.config.EVENT_STREAM_TTL_SECONDS,
        first?.channel ?? buildUserChannel(this.config.LISTENERS_CHANNEL_PREFIX, lease.userId),
        ...change.events.map((draft) => draft.json),
      ],
    )) as [number, ...string[]];
    const [status, ...eventIds] = result;
    if (status === COMMIT_STALE) return { status: 'stale' };
    if (status === COMMIT_CONFLICT) return { status: 'conflict' };
    change.events.forEach((draft, index) => this.publisher.confirmPublished(draft, eventIds[index]));
    return { status: 'committed', eventIds };
  }

  /** Feed cursors of a user: feed → last message key delivered. */
  loadFeedCursors(userId: string): Promise<Record<string, string>> {
    return this.redis.command.hgetall(buildWorkflowFeedsKey(userId));
  }

  loadFeedCursor(userId: string, feed: string): Promise<string | null> {
    return this.redis.command.hget(buildWorkflowFeedsKey(userId), feed);
  }

  /** Moves a feed cursor and, when given, publishes `message` on `channel` (not the replay stream), fenced like `commit`. */
  async commitToChannel(lease: UserLease, change: { field: string; expected: string | undefined; next: string; channel?: string; message?: string }): Promise<CommitOutcome> {
    const status = await FENCED_CHANNEL_PUBLISH.run(
      this.redis.command,
      [buildWorkflowLeaseKey(lease.userId), buildWorkflowFeedsKey(lease.userId)],
      [lease.token, lease.fence, change.field, change.expected === undefined ? '0' : '1', change.expected ?? '', change.next, CACHE_TTL_MS, change.channel ?? '', change.message ?? ''],
    );
    if (status === COMMIT_STALE) return { status: 'stale' };
    if (status === COMMIT_CONFLICT) return { status: 'conflict' };
    return { status: 'committed', eventIds: [] };
  }
}
