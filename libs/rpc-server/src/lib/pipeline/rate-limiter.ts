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

const ALLOWED: RateDecision = Object.freeze({ allowed: true });

interface LocalAllowance {
  remaining: number;
  exhausted: boolean;
  /** Calls the next reservation asks for: grows while the caller outpaces the reservations. */
  batch: number;
  /** The reservation in flight, shared by every call of this caller that finds nothing left. */
  reserving?: Promise<void>;
  /** Whether the allowance has been topped up this window (a first reservation says nothing of the caller's pace). */
  reserved: boolean;
  /** The batch already grew for the reservation in flight (one doubling per time the caller runs dry). */
  grown: boolean;
}

/** The most a busy caller's batch grows to, as a multiple of RPC_RATE_LIMIT_BATCH. */
const MAX_BATCH_GROWTH = 32;

/**
 * A per-caller limit of RPC_RATE_LIMIT_PER_MINUTE calls per fixed minute, shared by all gateway
 * instances through Redis. To keep Redis off the hot path, an instance reserves calls in batches
 * and spends them locally; the fleet never admits more than the limit.
 *
 * A batch starts at RPC_RATE_LIMIT_BATCH. The next one is reserved in the background once half of
 * the current one is spent, so a steady caller's calls never wait for Redis. A caller that still
 * runs dry (its calls outpace a Redis round trip, e.g. the service scope) gets its batch doubled,
 * up to 32× RPC_RATE_LIMIT_BATCH and a quarter of the limit. The cost: calls reserved by one instance
 * are not spendable on another, so a caller spread over N instances may be refused up to N×1.5
 * batches before the limit.
 */
@Injectable()
export class RateLimiter {
  private readonly allowances = new Map<string, LocalAllowance>();
  private currentWindow = 0;
  private readonly initialBatch: number;
  private readonly maxBatch: number;

  constructor(
    private readonly redis: RedisConnections,
    private readonly config: AppConfig,
  ) {
    const limit = config.RPC_RATE_LIMIT_PER_MINUTE;
    this.initialBatch = Math.min(config.RPC_RATE_LIMIT_BATCH, limit);
    this.maxBatch = Math.max(this.initialBatch, Math.min(config.RPC_RATE_LIMIT_BATCH * MAX_BATCH_GROWTH, Math.floor(limit / 4)));
  }

  /**
   * The decision for one call. Synchronous while this instance still holds reserved calls for the
   * caller (nearly always): only a reservation from Redis makes it a promise.
   */
  consume(scope: string, now = Date.now()): RateDecision | Promise<RateDecision> {
    const window = Math.floor(now / WINDOW_MS);
    if (window !== this.currentWindow) {
      this.allowances.clear();
      this.currentWindow = window;
    }
    let allowance = this.allowances.get(scope);
    if (!allowance) {
      allowance = { remaining: 0, exhausted: false, batch: this.initialBatch, reserved: false, grown: false };
      this.allowances.set(scope, allowance);
    }
    return this.spend(scope, window, allowance) ?? this.consumeAfterReservation(scope, window, allowance);
  }

  private spend(scope: string, window: number, allowance: LocalAllowance): RateDecision | undefined {
    if (allowance.remaining > 0) {
      allowance.remaining -= 1;
      if (allowance.remaining <= allowance.batch >> 1 && !allowance.reserving && !allowance.exhausted) this.reserveAhead(scope, window, allowance);
      return ALLOWED;
    }
    if (allowance.exhausted) return { allowed: false, retryAfterMs: (window + 1) * WINDOW_MS - Date.now() };
    return undefined;
  }

  /** Tops the allowance up before it runs out. A failure is not the caller's: the next empty spend retries and reports it. */
  private reserveAhead(scope: string, window: number, allowance: LocalAllowance): void {
    allowance.reserving = this.reserve(scope, window, allowance)
      .catch(() => undefined)
      .finally(() => {
        allowance.reserving = undefined;
      });
  }

  private async consumeAfterReservation(scope: string, window: number, allowance: LocalAllowance): Promise<RateDecision> {
    if (allowance.reserved && !allowance.grown) {
      allowance.batch = Math.min(allowance.batch * 2, this.maxBatch);
      allowance.grown = true;
    }
    for (;;) {
      allowance.reserving ??= this.reserve(scope, window, allowance).finally(() => {
        allowance.reserving = undefined;
      });
      await allowance.reserving;
      const decision = this.spend(scope, window, allowance);
      if (decision) return decision;
    }
  }

  private async reserve(scope: string, window: number, allowance: LocalAllowance): Promise<void> {
    const limit = this.config.RPC_RATE_LIMIT_PER_MINUTE;
    const granted = Number(await RESERVE.run(this.redis.command, [buildRateLimitKey(scope, window)], [allowance.batch, limit, WINDOW_MS * 2]));
    allowance.reserved = true;
    allowance.grown = false;
    if (granted <= 0) allowance.exhausted = true;
    else allowance.remaining += granted;
  }
}
