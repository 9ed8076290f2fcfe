import { userEventLua } from '@suite/events';
import { RedisScript } from '@suite/redis';

/*
 * A user's lease, fence counter, cache and event stream share the hash tag `{uid}`, so each script
 * below runs in one slot on Redis Cluster.
 */

/**
 * KEYS[1] lease hash {owner, fence}, KEYS[2] fence counter; ARGV[1] owner token, ARGV[2] TTL ms.
 * Returns {1, fence} when newly acquired (a new fence), {2, fence} when already ours (extended),
 * {0, ms left} when another owner holds it.
 */
export const ACQUIRE_LEASE = new RedisScript(
  'workflow_acquire_lease',
  `
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner and owner ~= ARGV[1] then return {0, redis.call('PTTL', KEYS[1])} end
if owner == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {2, tonumber(redis.call('HGET', KEYS[1], 'fence'))}
end
local fence = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'fence', fence)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {1, fence}
`,
);

/** KEYS[1] lease; ARGV[1] owner token, ARGV[2] fence, ARGV[3] TTL ms. 1 when still ours and extended, else 0. */
export const RENEW_LEASE = new RedisScript(
  'workflow_renew_lease',
  `
local lease = redis.call('HMGET', KEYS[1], 'owner', 'fence')
if lease[1] ~= ARGV[1] or lease[2] ~= ARGV[2] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`,
);

/** KEYS[1] lease, KEYS[2] cache, KEYS[3] feed cursors; ARGV[1] token, ARGV[2] fence, ARGV[3] '1' to drop cache and cursors too. 1 when released. */
export const RELEASE_LEASE = new RedisScript(
  'workflow_release_lease',
  `
local lease = redis.call('HMGET', KEYS[1], 'owner', 'fence')
if lease[1] ~= ARGV[1] or lease[2] ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[1])
if ARGV[3] == '1' then redis.call('DEL', KEYS[2], KEYS[3]) end
return 1
`,
);

/** Result codes of a fenced commit. */
export const COMMIT_STALE = -1;
export const COMMIT_CONFLICT = -2;

/**
 * A fenced commit with `eventCount` events: only while the lease is still ours (owner and fence),
 * and only if the cache entry still holds what we compared against, it writes the entry's new
 * value and publishes the events (appended to the user's stream, as EventPublisher does), all in
 * one step. So a holder that lost its lease publishes nothing, and a published change is always in
 * the cache the next holder starts from.
 *
 * KEYS[1] lease, KEYS[2] cache, KEYS[3] event stream. ARGV: 1 token, 2 fence, 3 cache field,
 * 4 '1' if an old value is expected, 5 old value, 6 '1' to set (else delete), 7 new value,
 * 8 cache TTL ms, 9 stream maxlen, 10 stream TTL s, 11 channel, 12… envelopes (JSON without id).
 * Returns {1, event ids…}, or {COMMIT_STALE} / {COMMIT_CONFLICT}.
 */
function fencedCommitSource(eventCount: number): string {
  const events = Array.from({ length: eventCount }, (_unused, index) => `
${userEventLua({ stream: 'KEYS[3]', maxlen: 'ARGV[9]', ttlSeconds: 'ARGV[10]', envelope: `ARGV[${12 + index}]`, channel: 'ARGV[11]' })}
table.insert(ids, event_id)`).join('\n');
  return `
local lease = redis.call('HMGET', KEYS[1], 'owner', 'fence')
if lease[1] ~= ARGV[1] or lease[2] ~= ARGV[2] then return {${COMMIT_STALE}} end
local current = redis.call('HGET', KEYS[2], ARGV[3])
local expected = false
if ARGV[4] == '1' then expected = ARGV[5] end
if current ~= expected then return {${COMMIT_CONFLICT}} end
if ARGV[6] == '1' then redis.call('HSET', KEYS[2], ARGV[3], ARGV[7]) else redis.call('HDEL', KEYS[2], ARGV[3]) end
redis.call('PEXPIRE', KEYS[2], ARGV[8])
local ids = {1}
${events}
return ids
`;
}

/** One script per number of events a commit carries (a task change gives at most two). */
export const FENCED_COMMIT = [0, 1, 2].map((count) => new RedisScript(`workflow_fenced_commit_${count}`, fencedCommitSource(count)));

/**
 * The fenced commit for a message that goes on a channel only (chat threads, direct messages: not
 * the user's replay stream): lease check, compare-and-set of the cache entry (the last message key
 * delivered), then PUBLISH. KEYS[1] lease, KEYS[2] feed cursors; ARGV: 1 token, 2 fence, 3 feed,
 * 4 '1' if an old value is expected, 5 old value, 6 new value, 7 cache TTL ms, 8 channel, 9 message.
 * Returns 1, COMMIT_STALE or COMMIT_CONFLICT.
 */
export const FENCED_CHANNEL_PUBLISH = new RedisScript(
  'workflow_fenced_channel_publish',
  `
local lease = redis.call('HMGET', KEYS[1], 'owner', 'fence')
if lease[1] ~= ARGV[1] or lease[2] ~= ARGV[2] then return ${COMMIT_STALE} end
local current = redis.call('HGET', KEYS[2], ARGV[3])
local expected = false
if ARGV[4] == '1' then expected = ARGV[5] end
if current ~= expected then return ${COMMIT_CONFLICT} end
redis.call('HSET', KEYS[2], ARGV[3], ARGV[6])
redis.call('PEXPIRE', KEYS[2], ARGV[7])
if ARGV[8] ~= '' then redis.call('PUBLISH', ARGV[8], ARGV[9]) end
return 1
`,
);
