import { Injectable } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { asError } from '@suite/logging';
import { execChecked, RedisConnections } from '@suite/redis';
import { buildRegistryChromaKey, buildRegistryUnifiedKey, buildRegistryUnifiedSetKey, RedisTTL } from '@suite/redis-namespaces';
import { CompanyRegistry } from './company-registry';
import { REFRESH_IF_EXISTS } from './refresh-if-exists';
import { RegistryLog } from './registry-log';
import { UnifiedRegistry } from './unified-registry';

export interface CollectionRegistration {
  user_id: string;
  collection_name: string;
  session_id: string;
  registered_at: string;
  last_heartbeat: string;
}

/** Which user keeps which Chroma collection open (`registry:chroma:{uid}:{collection}`, 90 s TTL). */
@Injectable()
export class ChromaCollectionRegistry {
  constructor(
    private readonly redis: RedisConnections,
    private readonly config: AppConfig,
    private readonly unified: UnifiedRegistry,
    private readonly companies: CompanyRegistry,
    private readonly log: RegistryLog,
  ) {}

  async register(userId: string, collectionName: string, sessionId: string, companyId?: string): Promise<CollectionRegistration> {
    const now = new Date().toISOString();
    const record: CollectionRegistration = { user_id: userId, collection_name: collectionName, session_id: sessionId, registered_at: now, last_heartbeat: now };
    const key = buildRegistryChromaKey(userId, collectionName);
    await execChecked(this.redis.command.multi().hset(key, { ...record }).expire(key, RedisTTL.REGISTRY_CHROMA));
    await this.syncUnified('register_collection_user', userId, () =>
      Promise.all([
        this.unified.addToSet(userId, 'chroma_collections', collectionName),
        this.touchUnifiedHeartbeat(userId, now),
        companyId ? this.companies.addToSet(companyId, 'chroma_collections', collectionName) : Promise.resolve(),
      ]),
    );
    this.log.operation('register_collection_user', { ...record });
    return record;
  }

  /**
   * Seed 000's "silent sync" of the unified record's services.chroma: with
   * UNIFIED_REGISTRY_ENABLED=true the collection set and heartbeat follow the legacy key; a
   * failure there is logged and never fails the call.
   */
  private async syncUnified(operation: string, userId: string, write: () => Promise<unknown>): Promise<void> {
    if (!this.config.UNIFIED_REGISTRY_ENABLED) return;
    try {
      await write();
    } catch (error) {
      this.log.warn('unified_write_failed', { operation, user_id: userId, error: asError(error).message });
    }
  }

  /** Only on an existing unified record: a heartbeat must not create a record without its TTL. */
  private touchUnifiedHeartbeat(userId: string, at: string): Promise<unknown> {
    return REFRESH_IF_EXISTS.run(this.redis.command, [buildRegistryUnifiedKey(userId)], ['chroma_last_heartbeat', at, RedisTTL.REGISTRY_UNIFIED]);
  }

  async heartbeat(userId: string, collectionName: string): Promise<boolean> {
    const now = new Date().toISOString();
    const refreshed = await REFRESH_IF_EXISTS.run(this.redis.command, [buildRegistryChromaKey(userId, collectionName)], ['last_heartbeat', now, RedisTTL.REGISTRY_CHROMA]);
    if (refreshed === 1) await this.syncUnified('heartbeat_collection', userId, () => this.touchUnifiedHeartbeat(userId, now));
    this.log.operation('heartbeat_collection', { user_id: userId, collection_name: collectionName, success: refreshed === 1 });
    return refreshed === 1;
  }

  async unregister(userId: string, collectionName: string): Promise<boolean> {
    const removed = await this.redis.command.del(buildRegistryChromaKey(userId, collectionName));
    await this.syncUnified('unregister_collection_user', userId, () => this.redis.command.srem(buildRegistryUnifiedSetKey(userId, 'chroma_collections'), collectionName));
    this.log.operation('unregister_collection_user', { user_id: userId, collection_name: collectionName });
    return removed === 1;
  }

  async get(userId: string, collectionName: string): Promise<CollectionRegistration | null> {
    const fields = await this.redis.command.hgetall(buildRegistryChromaKey(userId, collectionName));
    return fields['user_id'] ? (fields as unknown as CollectionRegistration) : null;
  }
}
