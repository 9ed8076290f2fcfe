import { Injectable } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { asError } from '@suite/logging';
import { execChecked, RedisConnections } from '@suite/redis';
import { buildRegistryChromaKey, buildRegistryUnifiedKey, RedisTTL } from '@suite/redis-namespaces';
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
    if (this.config.UNIFIED_REGISTRY_ENABLED) {
      await Promise.all([
        this.unified.addToSet(userId, 'chroma_collections', collectionName),
        this.redis.command.hset(buildRegistryUnifiedKey(userId), 'chroma_last_heartbeat', now),
        companyId ? this.companies.addToSet(companyId, 'chroma_collections', collectionName) : Promise.resolve(),
      ]).catch((error: unknown) => this.log.warn('unified_write_failed', { operation: 'register_collection_user', user_id: userId, error: asError(error).message }));
    }
    this.log.operation('register_collection_user', { ...record });
    return record;
  }

  async heartbeat(userId: string, collectionName: string): Promise<boolean> {
    const now = new Date().toISOString();
    const refreshed = await REFRESH_IF_EXISTS.run(this.redis.command, [buildRegistryChromaKey(userId, collectionName)], ['last_heartbeat', now, RedisTTL.REGISTRY_CHROMA]);
    this.log.operation('heartbeat_collection', { user_id: userId, collection_name: collectionName, success: refreshed === 1 });
    return refreshed === 1;
  }

  async unregister(userId: string, collectionName: string): Promise<boolean> {
    const removed = await this.redis.command.del(buildRegistryChromaKey(userId, collectionName));
    this.log.operation('unregister_collection_user', { user_id: userId, collection_name: collectionName });
    return removed === 1;
  }

  async get(userId: string, collectionName: string): Promise<CollectionRegistration | null> {
    const fields = await this.redis.command.hgetall(buildRegistryChromaKey(userId, collectionName));
    return fields['user_id'] ? (fields as unknown as CollectionRegistration) : null;
  }
}
