import { Injectable } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { RedisConnections, RedisHealth } from '@suite/redis';
import { readWorkflowFleetStats, WorkflowFleetStats } from '@suite/workflow-watch';

export interface Healthz {
  status: 'ok' | 'degraded';
  version: string;
  /** Firestore listeners the workflow-listener fleet has attached (two per watched user when healthy). */
  listeners_count: number;
  /** Users the workflow-listener fleet watches right now (an unexpired lease). */
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
  ) {}

  async healthz(): Promise<Healthz> {
    const redis = await this.redis.health();
    const fleet = redis === 'ok' ? await this.fleetStats() : undefined;
    return {
      status: redis === 'ok' ? 'ok' : 'degraded',
      version: this.config.APP_VERSION,
      listeners_count: fleet?.listeners ?? 0,
      workflow_listeners_count: fleet?.users ?? 0,
      redis,
      uptime_s: Math.floor((Date.now() - this.startedAt) / 1000),
    };
  }

  private fleetStats(): Promise<WorkflowFleetStats | undefined> {
    return readWorkflowFleetStats(this.redis).catch(() => undefined);
  }
}
