import { Injectable } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { ChannelSubscriber } from '@suite/events';
import { RedisConnections, RedisHealth } from '@suite/redis';
import { WORKFLOW_WATCHED_KEY } from '@suite/redis-namespaces';

export interface Healthz {
  status: 'ok' | 'degraded';
  version: string;
  /** Event channels this gateway instance is subscribed to for connected clients. */
  listeners_count: number;
  /** Users the workflow-listener fleet watches right now. */
  workflow_listeners_count: number;
  redis: RedisHealth;
  uptime_s: number;
}

@Injectable()
export class HealthService {
  private readonly startedAt = Date.now();

  constructor(
    private readonly config: AppConfig,
    private readonly redis: RedisConnections,
    private readonly subscriber: ChannelSubscriber,
  ) {}

  async healthz(): Promise<Healthz> {
    const redis = await this.redis.health();
    return {
      status: redis === 'ok' ? 'ok' : 'degraded',
      version: this.config.APP_VERSION,
      listeners_count: this.subscriber.channelCount,
      workflow_listeners_count: redis === 'ok' ? await this.watchedUsers() : 0,
      redis,
      uptime_s: Math.floor((Date.now() - this.startedAt) / 1000),
    };
  }

  private async watchedUsers(): Promise<number> {
    return this.redis.command.zcount(WORKFLOW_WATCHED_KEY, Date.now(), '+inf').catch(() => 0);
  }
}
