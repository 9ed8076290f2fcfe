import { Injectable } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { ChannelSubscriber } from '@suite/events';
import { listLiveInstances, LiveInstance } from '@suite/liveness';
import { LlmService, ProviderDescription } from '@suite/llm';
import { RedisConnections } from '@suite/redis';
import { WORKFLOW_WATCHED_KEY } from '@suite/redis-namespaces';
import { MethodRegistry } from '@suite/rpc-server';

type Status = 'ok' | 'error' | 'not_configured';

export interface DebugReport {
  version: string;
  redis: { status: Status; mode: 'single' | 'cluster' };
  firestore: { status: Status; target: string };
  chroma: { status: Status; url: string };
  llm: { status: Status } & ProviderDescription & { development_model: boolean };
  workflow_listeners: { status: Status; enabled: boolean; active_count: number; users: string[] };
  instances: LiveInstance[];
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
  ) {}

  async report(): Promise<DebugReport> {
    const redisStatus = await this.redis.health();
    const chromaUrl = `${this.config.CHROMA_SSL ? 'https' : 'http'}://${this.config.CHROMA_HOST}:${this.config.CHROMA_PORT}`;
    const [chroma, instances, watched, llm] = await Promise.all([
      this.probe(`${chromaUrl}/api/v2/heartbeat`),
      redisStatus === 'ok' ? listLiveInstances(this.redis, this.config).catch(() => []) : Promise.resolve([]),
      redisStatus === 'ok' ? this.redis.command.zrangebyscore(WORKFLOW_WATCHED_KEY, Date.now(), '+inf').catch(() => []) : Promise.resolve([]),
      this.llm.probe(1000),
    ]);
    const firestoreTarget = this.config.FIRESTORE_EMULATOR_HOST ? `emulator ${this.config.FIRESTORE_EMULATOR_HOST}` : `project ${this.config.FIREBASE_PROJECT_ID}`;
    const firestore: Status = this.config.FIRESTORE_EMULATOR_HOST ? await this.probe(`http://${this.config.FIRESTORE_EMULATOR_HOST}/`) : 'not_configured';
    return {
      version: this.config.APP_VERSION,
      redis: { status: redisStatus, mode: this.redis.isCluster ? 'cluster' : 'single' },
      firestore: { status: firestore, target: firestoreTarget },
      chroma: { status: chroma, url: chromaUrl },
      llm: { status: llm, ...this.llm.description, development_model: this.llm.description.provider === 'development-server' },
      workflow_listeners: { status: 'ok', enabled: this.config.WORKFLOW_LISTENER_ENABLED, active_count: watched.length, users: watched.slice(0, 100) },
      instances,
      rpc: { methods: this.registry.list().length, subscribed_channels: this.subscriber.channelCount },
      flags: {
        UNIFIED_REGISTRY_ENABLED: this.config.UNIFIED_REGISTRY_ENABLED,
        REGISTRY_DEBUG: this.config.REGISTRY_DEBUG,
        WORKFLOW_LISTENER_ENABLED: this.config.WORKFLOW_LISTENER_ENABLED,
      },
    };
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
