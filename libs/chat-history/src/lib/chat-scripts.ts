import { RedisScript } from '@suite/redis';

/** The layout's version, stored in the `version` field. */
export const CHAT_LAYOUT_VERSION = '2.0';

/**
 * Every chat is ONE hash (`chat:{uid}:{cid}:{thread}:history`), so each script touches one key
 * and runs on Redis Cluster. Fields: system_prompt, system_prompt_tokens, status, version,
 * created_at, updated_at, message_count, message_tokens, `meta:<name>` per metadata entry, the
 * counter `seq` (last message's number), `first` (oldest kept), one `m:<seq>` per message, and
 * `once:<id>` → seq for a message appended once by id (dropped with the message when it is trimmed).
 * A stored message is JSON whose first member is `"tokens":N`, so scripts read its cost without
 * decoding it.
 */
const PRELUDE = `
local key = KEYS[1]
local function init(now)
  if redis.call('HSETNX', key, 'created_at', now) == 1 then
    redis.call('HSET', key, 'system_prompt', '', 'system_prompt_tokens', 0, 'status', 'active',
      'version', '${CHAT_LAYOUT_VERSION}', 'seq', 0, 'first', 1, 'message_count', 0, 'message_tokens', 0, 'updated_at', now)
    return 1
  end
  return 0
end
local function tokens_of(raw)
  return tonumber(string.match(raw, '^{"tokens":(%d+)')) or 0
end
-- appends ARGV[from..#ARGV] in order, trims to max_len; returns {first seq, count, trimmed}
local function append(from, max_len)
  local n = #ARGV - from + 1
  local last = redis.call('HINCRBY', key, 'seq', n)
  local start = last - n + 1
  local added = 0
  for i = 0, n - 1 do
    local raw = ARGV[from + i]
    redis.call('HSET', key, 'm:' .. (start + i), raw)
    added = added + tokens_of(raw)
  end
  local first = tonumber(redis.call('HGET', key, 'first'))
  local trimmed = 0
  if last - first + 1 > max_len then
    local new_first = last - max_len + 1
    for s = first, new_first - 1 do
      local raw = redis.call('HGET', key, 'm:' .. s)
      if raw then
        added = added - tokens_of(raw)
        redis.call('HDEL', key, 'm:' .. s)
        local id = string.match(raw, '^{"tokens":%d+,"id":"([^"\\\\]*)"')
        if id then redis.call('HDEL', key, 'once:' .. id) end
        trimmed = trimmed + 1
      end
    end
    first = new_first
    redis.call('HSET', key, 'first', first)
  end
  redis.call('HINCRBY', key, 'message_tokens', added)
  redis.call('HSET', key, 'message_count', last - first + 1)
  return {start, last - first + 1, trimmed}
end
`;

/** ARGV: ttl, now, max_len, messages… (in order). Returns {first new seq, message_count, trimmed}. */
export const APPEND_MESSAGES = new RedisScript(
  'chat_append',
  `${PRELUDE}
init(ARGV[2])
local result = append(4, tonumber(ARGV[3]))
redis.call('HSET', key, 'updated_at', ARGV[2])
redis.call('EXPIRE', key, ARGV[1])
return result
`,
);

/**
 * Appends one message to an existing chat unless a message of that id was appended this way
 * before. ARGV: ttl, now, max_len, id, message. Returns {seq, message_count, trimmed, outcome}:
 * outcome 0 appended, 1 already there (seq is the stored one's), 2 no chat (nothing written: a
 * chat deleted meanwhile is not brought back).
 */
export const APPEND_MESSAGE_ONCE = new RedisScript(
  'chat_append_once',
  `${PRELUDE}
if redis.call('EXISTS', key) == 0 then return {0, 0, 0, 2} end
local existing = redis.call('HGET', key, 'once:' .. ARGV[4])
if existing then
  return {tonumber(existing), tonumber(redis.call('HGET', key, 'message_count')), 0, 1}
end
local result = append(5, tonumber(ARGV[3]))
redis.call('HSET', key, 'once:' .. ARGV[4], result[1], 'updated_at', ARGV[2])
redis.call('EXPIRE', key, ARGV[1])
result[4] = 0
return result
`,
);

/**
 * Full save. ARGV: ttl, now, max_len, n, n field/value pairs (system prompt, status, meta:*), messages….
 * Returns {first seq, message_count, trimmed}.
 */
export const SAVE_CHAT = new RedisScript(
  'chat_save',
  `${PRELUDE}
local created_at = redis.call('HGET', key, 'created_at') or ARGV[2]
redis.call('DEL', key)
init(created_at)
local n = tonumber(ARGV[4])
local i = 5
for _ = 1, n do
  redis.call('HSET', key, ARGV[i], ARGV[i + 1])
  i = i + 2
end
local result = append(i, tonumber(ARGV[3]))
redis.call('HSET', key, 'updated_at', ARGV[2])
redis.call('EXPIRE', key, ARGV[1])
return result
`,
);

/** Sets fields (system prompt, status, meta:*), creating the chat if missing. ARGV: ttl, now, pairs…. Returns 1 if created. */
export const SET_CHAT_FIELDS = new RedisScript(
  'chat_set_fields',
  `${PRELUDE}
local created = init(ARGV[2])
for i = 3, #ARGV, 2 do redis.call('HSET', key, ARGV[i], ARGV[i + 1]) end
redis.call('HSET', key, 'updated_at', ARGV[2])
redis.call('EXPIRE', key, ARGV[1])
return created
`,
);

/** Drops every message, keeps the system prompt and metadata. ARGV: ttl, now. Returns the number dropped, or -1 if no chat. */
export const CLEAR_MESSAGES = new RedisScript(
  'chat_clear',
  `${PRELUDE}
local v = redis.call('HMGET', key, 'first', 'seq')
if not v[1] then return -1 end
local first, last = tonumber(v[1]), tonumber(v[2])
local cleared = 0
for s = first, last do cleared = cleared + redis.call('HDEL', key, 'm:' .. s) end
redis.call('HSET', key, 'first', last + 1, 'message_count', 0, 'message_tokens', 0, 'updated_at', ARGV[2])
redis.call('EXPIRE', key, ARGV[1])
return cleared
`,
);

/** The newest `limit` messages (all when 0), oldest first. ARGV: limit. Returns the raw messages with their seq: {seq, raw, seq, raw…}. */
export const READ_MESSAGES = new RedisScript(
  'chat_read',
  `${PRELUDE}
local v = redis.call('HMGET', key, 'first', 'seq')
if not v[1] then return false end
local first, last = tonumber(v[1]), tonumber(v[2])
local limit = tonumber(ARGV[1])
if limit > 0 and last - first + 1 > limit then first = last - limit + 1 end
local out = {}
for s = first, last do
  local raw = redis.call('HGET', key, 'm:' .. s)
  if raw then
    out[#out + 1] = s
    out[#out + 1] = raw
  end
end
return out
`,
);

/**
 * The newest messages whose tokens fit ARGV[1] (the budget left once the system prompt and the
 * reply priming are paid), up to seq ARGV[2] when given (0: the last). Returns {system_prompt, system_prompt_tokens, stored count, seq, raw, seq, raw…}
 * newest first, or false when there is no chat.
 */
export const CONTEXT_WINDOW = new RedisScript(
  'chat_context_window',
  `${PRELUDE}
local v = redis.call('HMGET', key, 'first', 'seq', 'system_prompt', 'system_prompt_tokens', 'message_count')
if not v[1] then return false end
local first, last = tonumber(v[1]), tonumber(v[2])
local left = tonumber(ARGV[1]) - tonumber(v[4])
local out = {v[3], tonumber(v[4]), tonumber(v[5])}
local s = last
local through = tonumber(ARGV[2] or '0')
if through > 0 and through < last then s = through end
while s >= first do
  local raw = redis.call('HGET', key, 'm:' .. s)
  if raw then
    local cost = tokens_of(raw)
    if cost > left then break end
    left = left - cost
    out[#out + 1] = s
    out[#out + 1] = raw
  end
  s = s - 1
end
return out
`,
);
