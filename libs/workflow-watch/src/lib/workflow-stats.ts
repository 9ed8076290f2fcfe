import { RedisConnections } from '@suite/redis';
import { buildWorkflowCacheKey, buildWorkflowInstanceStatsKey, WORKFLOW_INSTANCES_KEY, WORKFLOW_WATCHED_KEY } from '@suite/redis-namespaces';

export interface WorkflowFleetStats {
  /** Listener instances alive (their counters not expired). */
  instances: number;
  /** Users watched right now (an unexpired lease). */
  users: number;
  /** Firestore listeners attached across the fleet (two per user when all is well). */
  listeners: number;
  /** Cache entries (documents remembered) across the fleet. */
  cache_entries: number;
}

/** The fleet's counters, summed from each live instance's stats hash (written at each of its reconciles). */
export async function readWorkflowFleetStats(redis: RedisConnections): Promise<WorkflowFleetStats> {
  const now = Date.now();
  const [tokens, users] = await Promise.all([
    redis.command.zrangebyscore(WORKFLOW_INSTANCES_KEY, now, '+inf'),
    redis.command.zcount(WORKFLOW_WATCHED_KEY, now, '+inf'),
  ]);
  const stats = await Promise.all(tokens.map((token) => redis.command.hmget(buildWorkflowInstanceStatsKey(token), 'listeners', 'cache_entries')));
  let listeners = 0;
  let cacheEntries = 0;
  for (const [instanceListeners, instanceCache] of stats) {
    listeners += Number(instanceListeners ?? 0);
    cacheEntries += Number(instanceCache ?? 0);
  }
  return { instances: tokens.length, users, listeners, cache_entries: cacheEntries };
}

/** Users watched right now, first `limit` by name. */
export async function listWatchedUsers(redis: RedisConnections, limit = 100): Promise<string[]> {
  const users = await redis.command.zrangebyscore(WORKFLOW_WATCHED_KEY, Date.now(), '+inf');
  return users.sort().slice(0, limit);
}

/** Entries of one user's cache (tests, debugging). */
export function userCacheEntries(redis: RedisConnections, userId: string): Promise<number> {
  return redis.command.hlen(buildWorkflowCacheKey(userId));
}
