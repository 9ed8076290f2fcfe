import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { asError } from '@suite/logging';
import { RedisConnections, RedisScript } from '@suite/redis';
import { buildFencedLockKey, buildLockFenceKey } from '@suite/redis-namespaces';

/** Takes the lock for ARGV[1] (owner token) for ARGV[2] ms unless held; returns the new fencing counter, or 0. */
const ACQUIRE = new RedisScript(
  'lock_acquire',
  `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('INCR', KEYS[2])
end
return 0
`,
);

/** Deletes the lock only if ARGV[1] still owns it. */
const RELEASE = new RedisScript(
  'lock_release',
  `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`,
);

/** Sets a new TTL (ARGV[2] ms) only if ARGV[1] still owns the lock. */
const EXTEND = new RedisScript(
  'lock_extend',
  `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`,
);

/** A lock this instance holds: only its token can release or extend it. */
export interface HeldLock {
  readonly type: string;
  readonly resource: string;
  readonly key: string;
  readonly token: string;
  /**
   * The fencing counter of this acquisition: strictly greater than every earlier one on the same
   * resource. Whatever the lock protects refuses writes carrying a smaller fence than one it has
   * seen, so a holder whose lock expired (a long GC pause, a partition) cannot overwrite the work
   * of the next holder.
   */
  readonly fence: number;
}

/** What `withLock` hands its work: the lock, and a signal aborted if the lock is lost. */
export interface LockHandle {
  readonly lock: HeldLock;
  readonly fence: number;
  readonly signal: AbortSignal;
}

/**
 * Seed 003's `DistributedLock`, made safe: `SET NX PX` with an owner token, release and extend by
 * the owner only (compare-and-delete, compare-and-pexpire in Lua), and a fencing counter returned
 * on every acquisition. Keys: `lock:{type}:{resource}` with the resource as hash tag, the counter
 * at `…:fence` in the same slot (libs/redis-namespaces).
 */
@Injectable()
export class DistributedLock {
  private readonly logger = new Logger('DistributedLock');

  constructor(private readonly redis: RedisConnections) {}

  /** The lock, or null when someone else holds it. */
  async acquire(type: string, resource: string, ttlMs: number): Promise<HeldLock | null> {
    const key = buildFencedLockKey(type, resource);
    const token = randomUUID();
    const fence = Number(await ACQUIRE.run(this.redis.command, [key, buildLockFenceKey(type, resource)], [token, Math.max(1, Math.round(ttlMs))]));
    return fence > 0 ? { type, resource, key, token, fence } : null;
  }

  /** True when it released our lock; false when the lock had expired or is someone else's now (then nothing changes). */
  async release(lock: HeldLock): Promise<boolean> {
    return Number(await RELEASE.run(this.redis.command, [lock.key], [lock.token])) === 1;
  }

  /** True when our lock now lasts `ttlMs` more; false when it is no longer ours. */
  async extend(lock: HeldLock, ttlMs: number): Promise<boolean> {
    return Number(await EXTEND.run(this.redis.command, [lock.key], [lock.token, Math.max(1, Math.round(ttlMs))])) === 1;
  }

  async isLocked(type: string, resource: string): Promise<boolean> {
    return (await this.redis.command.exists(buildFencedLockKey(type, resource))) === 1;
  }

  /** The fence of the latest acquisition (0 if never taken): a protected resource may compare against it. */
  async currentFence(type: string, resource: string): Promise<number> {
    return Number((await this.redis.command.get(buildLockFenceKey(type, resource))) ?? 0);
  }

  /** Forgets a resource that no longer exists: its lock and its fencing counter. */
  async discard(type: string, resource: string): Promise<void> {
    await this.redis.command.del(buildFencedLockKey(type, resource), buildLockFenceKey(type, resource));
  }

  /**
   * Runs `work` while holding the lock, extending it every third of `ttlMs`; `signal` aborts if
   * an extension finds the lock lost. Released at the end (by the owner only). Null when the lock
   * is held elsewhere.
   */
  async withLock<T>(type: string, resource: string, ttlMs: number, work: (handle: LockHandle) => Promise<T>): Promise<{ value: T } | null> {
    const lock = await this.acquire(type, resource, ttlMs);
    if (!lock) return null;
    const lost = new AbortController();
    const renew = setInterval(() => {
      this.extend(lock, ttlMs)
        .then((kept) => {
          if (!kept) lost.abort(new Error(`lock ${lock.key} lost`));
        })
        .catch((error: unknown) => this.logger.warn({ event: 'lock_extend_failed', key: lock.key, err: asError(error) }));
    }, Math.max(1, Math.floor(ttlMs / 3)));
    renew.unref();
    try {
      return { value: await work({ lock, fence: lock.fence, signal: lost.signal }) };
    } finally {
      clearInterval(renew);
      await this.release(lock).catch((error: unknown) => this.logger.warn({ event: 'lock_release_failed', key: lock.key, err: asError(error) }));
    }
  }
}
