import { RedisScript } from '@suite/redis';

/**
 * Appends an event to the user's capped stream and publishes it, in one atomic step, so a client
 * that replays from its last id can neither miss an event nor see one twice.
 * KEYS[1] stream; ARGV: maxlen, ttl seconds, envelope JSON without `id`, channel.
 * The published message is the envelope with the stream id spliced in as its first field.
 */
export const PUBLISH_USER_EVENT = new RedisScript(
  'publish_user_event',
  `
local id = redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[1], '*', 'e', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[4], '{"id":"' .. id .. '",' .. string.sub(ARGV[3], 2))
return id
`,
);

/** The envelope text a stream entry holds, with its id put back. */
export function withEventId(id: string, envelopeWithoutId: string): string {
  return `{"id":"${id}",${envelopeWithoutId.slice(1)}`;
}
