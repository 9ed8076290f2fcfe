import { RedisScript } from '@suite/redis';

/**
 * Writes the named fields of one session hash, atomically, on that one key (so it runs on a
 * cluster). ARGV: mode, ttl, now, user_id, company_id, n, n field/value pairs to set, then
 * field/value defaults set only where absent.
 * - mode `update`: only if the session exists (returns -1 otherwise);
 * - mode `upsert`: creates it when missing;
 * - mode `replace`: as upsert, and drops every stored thread first (a full save).
 * Returns 1 when this call created the session (its `created_at`), 0 otherwise.
 */
export const WRITE_SESSION = new RedisScript(
  'session_state_write',
  `
local key = KEYS[1]
local mode = ARGV[1]
if mode == 'update' and redis.call('EXISTS', key) == 0 then return -1 end
local created = redis.call('HSETNX', key, 'created_at', ARGV[3])
if mode == 'replace' then
  for _, field in ipairs(redis.call('HKEYS', key)) do
    if string.sub(field, 1, 7) == 'thread:' then redis.call('HDEL', key, field) end
  end
end
redis.call('HSET', key, 'user_id', ARGV[4], 'company_id', ARGV[5], 'updated_at', ARGV[3])
local n = tonumber(ARGV[6])
local i = 7
for _ = 1, n do
  redis.call('HSET', key, ARGV[i], ARGV[i + 1])
  i = i + 2
end
while i < #ARGV do
  redis.call('HSETNX', key, ARGV[i], ARGV[i + 1])
  i = i + 2
end
redis.call('EXPIRE', key, ARGV[2])
return created
`,
);
