import { Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { asError } from '@suite/logging';
import { AppConfig } from '@suite/config';
import { execChecked, RedisConnections } from '@suite/redis';
import { INSTANCES_KEY } from '@suite/redis-namespaces';
import { rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { InstanceIdentity } from './instance-identity';

/** A beat older than this many intervals means the instance is gone. */
const STALE_AFTER_INTERVALS = 3;

export interface LiveInstance {
  app: string;
  instance_id: string;
  host: string;
  pid: number;
  started_at: string;
  beat_at: string;
}

/**
 * Liveness of an app instance without an HTTP server. Every LIVENESS_INTERVAL_MS, while its Redis
 * answers, the instance
 * - rewrites `${LIVENESS_DIR}/${app}.alive` (the ECS container health check tests its age), and
 * - records itself in the `instances:live` sorted set (what `/debug` and the start script list).
 * A wedged event loop or a lost Redis stops the beats, so the health check fails and ECS replaces it.
 */
@Injectable()
export class LivenessService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Liveness');
  private timer?: NodeJS.Timeout;
  private readonly startedAt = new Date().toISOString();
  private writes = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly redis: RedisConnections,
    private readonly identity: InstanceIdentity,
  ) {}

  get file(): string {
    return join(this.config.LIVENESS_DIR, `${this.identity.app}.alive`);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.config.LIVENESS_INTERVAL_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await rm(this.file, { force: true });
    await this.redis.command.zrem(INSTANCES_KEY, this.member()).catch(() => undefined);
  }

  async beat(): Promise<boolean> {
    if ((await this.redis.health()) !== 'ok') return false;
    const now = Date.now();
    try {
      await execChecked(
        this.redis.command
          .multi()
          .zadd(INSTANCES_KEY, now, this.member())
          .zremrangebyscore(INSTANCES_KEY, '-inf', now - this.config.LIVENESS_INTERVAL_MS * STALE_AFTER_INTERVALS),
      );
      // Written beside it, then renamed over it: a reader (a health check, a test) never sees a half-written file.
      const pending = `${this.file}.${process.pid}.${(this.writes += 1)}.tmp`;
      await writeFile(pending, JSON.stringify({ ...this.describe(), beat_at: new Date(now).toISOString() }));
      await rename(pending, this.file);
      return true;
    } catch (error) {
      this.logger.warn({ event: 'liveness_beat_failed', error: asError(error).message });
      return false;
    }
  }

  private describe(): Omit<LiveInstance, 'beat_at'> {
    return { app: this.identity.app, instance_id: this.identity.instanceId, host: hostname(), pid: process.pid, started_at: this.startedAt };
  }

  private member(): string {
    return JSON.stringify(this.describe());
  }
}

/** Reads which instances beat recently (for `/debug` and the start script). */
export async function listLiveInstances(redis: RedisConnections, config: AppConfig): Promise<LiveInstance[]> {
  const since = Date.now() - config.LIVENESS_INTERVAL_MS * STALE_AFTER_INTERVALS;
  const entries = await redis.command.zrangebyscore(INSTANCES_KEY, since, '+inf', 'WITHSCORES');
  const instances: LiveInstance[] = [];
  for (let i = 0; i < entries.length; i += 2) {
    const member = JSON.parse(entries[i]) as Omit<LiveInstance, 'beat_at'>;
    instances.push({ ...member, beat_at: new Date(Number(entries[i + 1])).toISOString() });
  }
  return instances;
}
