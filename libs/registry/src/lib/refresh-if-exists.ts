import { RedisScript } from '@suite/redis';

/**
 * Sets one field of an existing hash and renews its TTL; does nothing (returns 0) when the hash
 * does not exist, so a heartbeat never recreates a record that expired or was removed.
 * KEYS[1] hash; ARGV: field, value, TTL seconds.
 */
export const REFRESH_IF_EXISTS = new RedisScript(
  'refresh_if_exists',
  `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
`,
);
