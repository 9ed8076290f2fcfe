import { Injectable } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { ChannelSubscriber } from '@suite/events';
import { HealthSummary } from '@suite/job-contracts';
import { listLiveInstances, LiveInstance } from '@suite/liveness';
import { LlmService, ProviderDescription } from '@suite/llm';
import { RedisConnections } from '@suite/redis';
import { MAINTENANCE_HEALTH_SUMMARY_KEY } from '@suite/redis-namespaces';
import { MethodRegistry } from '@suite/rpc-server';
import { ChromaConnection } from '@suite/vector';
import { listWatchedUsers, readWorkflowFleetStats, WorkflowFleetStats } from '@suite/workflow-watch';

type Status = 'ok' | 'error' | 'not_configured';

export interface DebugReport {
  version: string;
  redis: { status: Status; mode: 'single' | 'cluster' };
  firestore: { status: Status; target: string };
  chroma: { status: Status; url: string; version?: string };
  llm: { status: Status } & ProviderDescription & { development_model: boolean };
  workflow_listeners: {
    /** ok while a listener instance reports; error when enabled and none does. */
    status: Status;
    enabled: boolean;
    active_count: number;
    users: string[];
    cache_entries: number;
    listeners: number;
    instances: number;
  };
  instances: LiveInstance[];
  /** The latest `health_summary` maintenance job's result; null when none ran within 3 of its intervals. */
  maintenance: { health_summary: HealthSummary | null };
  rpc: { methods: number; subscribed_channels: number };
  flags: { UNIFIED_REGISTRY_ENABLED: boolean; REGISTRY_DEBUG: boolean; WORKFLOW_LISTENER_ENABLED: boolean };
}

@Injectable()
export class DebugService {
  constructor(
    private readonly config: AppConfig,
    private readonly redis: RedisConnections,
    private readonly registry: MethodRegistry,
    private readonly subscriber: ChannelSubscriber,
    private readonly llm: LlmService,
    private readonly chroma: ChromaConnection,
  ) {}

  async report(): Promise<DebugReport> {
    const redisStatus = await this.redis.health();
    const [chroma, instances, watched, llm, healthSummary] = await Promise.all([
      this.chroma.health(1000),
      redisStatus === 'ok' ? listLiveInstances(this.redis, this.config).catch(() => []) : Promise.resolve([]),
      redisStatus === 'ok' ? this.workflowListeners() : Promise.resolve(undefined),
      this.llm.probe(1000),
      redisStatus === 'ok' ? this.latestHealthSummary() : Promise.resolve(null),
    ]);
    const firestoreTarget = this.config.FIRESTORE_EMULATOR_HOST ? `emulator ${this.config.FIRESTORE_EMULATOR_HOST}` : `project ${this.config.FIREBASE_PROJECT_ID}`;
    const firestore: Status = this.config.FIRESTORE_EMULATOR_HOST ? await this.probe(`http://${this.config.FIRESTORE_EMULATOR_HOST}/`) : 'not_configured';
    return {
      version: this.config.APP_VERSION,
      redis: { status: redisStatus, mode: this.redis.isCluster ? 'cluster' : 'single' },
      firestore: { status: firestore, target: firestoreTarget },
      chroma,
      llm: { status: llm, ...this.llm.description, development_model: this.llm.description.provider === 'development-server' },
      workflow_listeners: {
        status: !this.config.WORKFLOW_LISTENER_ENABLED ? 'not_configured' : watched && watched.stats.instances > 0 ? 'ok' : 'error',
        enabled: this.config.WORKFLOW_LISTENER_ENABLED,
        active_count: watched?.stats.users ?? 0,
        users: watched?.users ?? [],
        cache_entries: watched?.stats.cache_entries ?? 0,
        listeners: watched?.stats.listeners ?? 0,
        instances: watched?.stats.instances ?? 0,
      },
      instances,
      maintenance: { health_summary: healthSummary },
      rpc: { methods: this.registry.list().length, subscribed_channels: this.subscriber.channelCount },
      flags: {
        UNIFIED_REGISTRY_ENABLED: this.config.UNIFIED_REGISTRY_ENABLED,
        REGISTRY_DEBUG: this.config.REGISTRY_DEBUG,
        WORKFLOW_LISTENER_ENABLED: this.config.WORKFLOW_LISTENER_ENABLED,
      },
    };
  }

  private async workflowListeners(): Promise<{ stats: WorkflowFleetStats; users: string[] } | undefined> {
    try {
      const [stats, users] = await Promise.all([readWorkflowFleetStats(this.redis), listWatchedUsers(this.redis, 100)]);
      return { stats, users };
    } catch {
      return undefined;
    }
  }

  private async latestHealthSummary(): Promise<HealthSummary | null> {
    try {
      const stored = await this.redis.command.get(MAINTENANCE_HEALTH_SUMMARY_KEY);
      return stored ? (JSON.parse(stored) as HealthSummary) : null;
    } catch {
      return null;
    }
  }

  private async probe(url: string): Promise<Status> {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      return response.ok ? 'ok' : 'error';
    } catch {
      return 'error';
    }
  }
}
