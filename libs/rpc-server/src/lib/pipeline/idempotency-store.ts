import { Injectable } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { RPC_ERROR_CODES, RPC_ERROR_STATUS, RpcErrorCode } from '@suite/rpc-contract';
import { RedisConnections, RedisScript } from '@suite/redis';
import { buildIdempotencyKey } from '@suite/redis-namespaces';
import { randomUUID } from 'node:crypto';

/** A response as it was first answered, replayed as is. */
export interface StoredResponse {
  status: number;
  body: string;
  code: RpcErrorCode | 'ok';
}

export type IdempotencyClaim =
  | { outcome: 'claimed'; owner: string }
  | { outcome: 'mismatch' }
  | { outcome: 'in_progress'; retryAfterMs: number }
  | { outcome: 'replay'; response: StoredResponse };

/**
 * One Redis hash per key holds the call's fingerprint and state. A claim is atomic: of any number of
 * concurrent calls with one key exactly one is `claimed`. While running, the record expires after
 * the call's timeout plus a margin, so a gateway that died mid-call does not block the key forever.
 */
const CLAIM = new RedisScript(
  'idempotency_claim',
  `
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
  redis.call('HSET', KEYS[1], 'state', 'running', 'fingerprint', ARGV[1], 'owner', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return {'claimed'}
end
if redis.call('HGET', KEYS[1], 'fingerprint') ~= ARGV[1] then return {'mismatch'} end
if state == 'running' then return {'in_progress', redis.call('PTTL', KEYS[1])} end
return {'replay', redis.call('HGET', KEYS[1], 'status'), redis.call('HGET', KEYS[1], 'body'), redis.call('HGET', KEYS[1], 'code')}
`,
);

/** Stores the response only if this owner still holds the claim. */
const COMPLETE = new RedisScript(
  'idempotency_complete',
  `
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'state', 'done', 'status', ARGV[2], 'body', ARGV[3], 'code', ARGV[5])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
`,
);

/** Frees the key if this owner still holds the claim, so the caller's retry runs the call again. */
const RELEASE = new RedisScript(
  'idempotency_release',
  `
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])
`,
);

/** Keeps a running record alive while its call runs past its timeout, if this owner still holds it. */
const EXTEND = new RedisScript(
  'idempotency_extend',
  `
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'state') ~= 'running' then return 0 end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])
`,
);

/** How long a running record outlives its call's timeout, and a call still running keeps it alive. */
export const RUNNING_MARGIN_MS = 5000;
const MAX_RETRY_HINT_MS = 1000;

@Injectable()
export class IdempotencyStore {
  constructor(
    private readonly redis: RedisConnections,
    private readonly config: AppConfig,
  ) {}

  async claim(scope: string, key: string, fingerprint: string, timeoutMs: number): Promise<IdempotencyClaim> {
    const owner = randomUUID();
    const answer = (await CLAIM.run(this.redis.command, [buildIdempotencyKey(scope, key)], [fingerprint, owner, timeoutMs + RUNNING_MARGIN_MS])) as [
      string,
      (string | number)?,
      string?,
      (string | null)?,
    ];
    switch (answer[0]) {
      case 'claimed':
        return { outcome: 'claimed', owner };
      case 'mismatch':
        return { outcome: 'mismatch' };
      case 'in_progress':
        return { outcome: 'in_progress', retryAfterMs: Math.max(50, Math.min(Number(answer[1]), MAX_RETRY_HINT_MS)) };
      default:
        return { outcome: 'replay', response: storedResponse(Number(answer[1]), String(answer[2]), answer[3]) };
    }
  }

  async complete(scope: string, key: string, owner: string, response: StoredResponse): Promise<boolean> {
    const stored = await COMPLETE.run(
      this.redis.command,
      [buildIdempotencyKey(scope, key)],
      [owner, response.status, response.body, this.config.RPC_IDEMPOTENCY_TTL_SECONDS, response.code],
    );
    return stored === 1;
  }

  /** Keeps the running record of `owner` for `ms` more; false if it is no longer this owner's. */
  async extend(scope: string, key: string, owner: string, ms: number): Promise<boolean> {
    return (await EXTEND.run(this.redis.command, [buildIdempotencyKey(scope, key)], [owner, ms])) === 1;
  }

  async release(scope: string, key: string, owner: string): Promise<void> {
    await RELEASE.run(this.redis.command, [buildIdempotencyKey(scope, key)], [owner]);
  }
}

/** A record written before answers carried their code has none: it is the first code of its status. */
function storedResponse(status: number, body: string, code: string | null | undefined): StoredResponse {
  if (code === 'ok' || (code && (RPC_ERROR_CODES as string[]).includes(code))) return { status, body, code: code as StoredResponse['code'] };
  if (status < 300) return { status, body, code: 'ok' };
  return { status, body, code: RPC_ERROR_CODES.find((candidate) => RPC_ERROR_STATUS[candidate] === status) ?? 'INTERNAL' };
}
