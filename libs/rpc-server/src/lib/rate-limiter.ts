import { Injectable } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { RedisConnections, RedisScript } from '@suite/redis';
import { buildRateLimitKey } from '@suite/redis-namespaces';

const WINDOW_MS = 60_000;

/**
 * Reserves up to ARGV[1] calls of the window's budget ARGV[2]; returns how many were granted.
 * The counter lives for two windows so a late reservation never resets it.
 */
const RESERVE = new RedisScript(
  'rate_limit_reserve',
  `
local used = redis.call('INCRBY', KEYS[1], ARGV[1])
if used == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
local granted = math.min(tonumber(ARGV[1]), tonumber(ARGV[2]) - (used - tonumber(ARGV[1])))
if granted < 0 then return 0 end
return granted
`,
);

export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

interface LocalAllowance {
  remaining: number;
  exhausted: boolean;
  /** The reservation in flight, shared by every call of this caller that finds nothing left. */
  reserving?: Promise<void>;
}

/**
 * A per-caller limit of RPC_RATE_LIMIT_PER_MINUTE calls per fixed minute, shared by all gateway
 * instances through Redis. To keep Redis off the hot path, an instance reserves calls in batches of
 * RPC_RATE_LIMIT_BATCH and spends them locally; the fleet never admits more than the limit, and a
 * caller spread over N instances may be refused up to N×batch calls early in a window.
 */
@Injectable()
export class RateLimiter {
  private readonly allowances = new Map<string, LocalAllowance>();
  private currentWindow = 0;

  constructor(
    private readonly redis: RedisConnections,
    private readonly config: AppConfig,
  ) {}

  async consume(scope: string, now = Date.now()): Promise<RateDecision> {
    const window = Math.floor(now / WINDOW_MS);
    if (window !== this.currentWindow) {
      this.allowances.clear();
      this.currentWindow = window;
    }
    let allowance = this.allowances.get(scope);
    if (!allowance) {
      allowance = { remaining: 0, exhausted: false };
      this.allowances.set(scope, allowance);
    }
    for (;;) {
      if (allowance.remaining > 0) {
        allowance.remaining -= 1;
        return { allowed: true };
      }
      if (allowance.exhausted) return { allowed: false, retryAfterMs: (window + 1) * WINDOW_MS - Date.now() };
      allowance.reserving ??= this.reserve(scope, window, allowance).finally(() => {
        if (allowance) allowance.reserving = undefined;
      });
      await allowance.reserving;
    }
  }

  private async reserve(scope: string, window: number, allowance: LocalAllowance): Promise<void> {
    const limit = this.config.RPC_RATE_LIMIT_PER_MINUTE;
    const batch = Math.min(this.config.RPC_RATE_LIMIT_BATCH, limit);
    const granted = Number(await RESERVE.run(this.redis.command, [buildRateLimitKey(scope, window)], [batch, limit, WINDOW_MS * 2]));
    if (granted <= 0) allowance.exhausted = true;
    else allowance.remaining += granted;
  }
}
