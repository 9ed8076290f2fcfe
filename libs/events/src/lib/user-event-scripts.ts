import { RedisScript } from '@suite/redis';

/** Where, in a script that embeds `userEventLua`, the event's key and arguments are. */
export interface UserEventLuaRefs {
  /** The user's stream key, e.g. `KEYS[1]`. */
  stream: string;
  maxlen: string;
  ttlSeconds: string;
  /** The envelope JSON without `id`. */
  envelope: string;
  channel: string;
}

/**
 * Lua that appends an event to the user's capped stream and publishes it, leaving the stream id in
 * the local `event_id`. Done in one atomic step, so a client that replays from its last id can
 * neither miss an event nor see one twice. The published message is the envelope with the stream
 * id spliced in as its first field. Other scripts embed it to publish in the same step as their
 * own writes (a task's progress update).
 */
export function userEventLua(refs: UserEventLuaRefs): string {
  return `
local event_id = redis.call('XADD', ${refs.stream}, 'MAXLEN', ${refs.maxlen}, '*', 'e', ${refs.envelope})
redis.call('EXPIRE', ${refs.stream}, ${refs.ttlSeconds})
redis.call('PUBLISH', ${refs.channel}, '{"id":"' .. event_id .. '",' .. string.sub(${refs.envelope}, 2))
`;
}

/** KEYS[1] stream; ARGV: maxlen, ttl seconds, envelope JSON without `id`, channel. Returns the id. */
export const PUBLISH_USER_EVENT = new RedisScript(
  'publish_user_event',
  `${userEventLua({ stream: 'KEYS[1]', maxlen: 'ARGV[1]', ttlSeconds: 'ARGV[2]', envelope: 'ARGV[3]', channel: 'ARGV[4]' })}
return event_id
`,
);

/** The envelope text a stream entry holds, with its id put back. */
export function withEventId(id: string, envelopeWithoutId: string): string {
  return `{"id":"${id}",${envelopeWithoutId.slice(1)}`;
}

/**
 * Publishes ARGV[1] on channel KEYS[1]. The channel is passed as the script's key only so that a
 * cluster client sends every message of one channel to the same node (the channel name's slot):
 * a plain PUBLISH goes to any node, and messages of one channel sent through different nodes can
 * reach subscribers out of order (a streamed answer's chunks did). On a single node it is PUBLISH.
 */
export const PUBLISH_IN_ORDER = new RedisScript('publish_in_order', `return redis.call('PUBLISH', KEYS[1], ARGV[1])`);
