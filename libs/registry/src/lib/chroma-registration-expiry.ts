import { Injectable } from '@nestjs/common';
import { RedisClient, RedisConnections } from '@suite/redis';
import { buildRegistryChromaKey, buildRegistryUnifiedSetKey, REGISTRY_UNIFIED_USERS_KEY, RedisTTL } from '@suite/redis-namespaces';
import { RegistryLog } from './registry-log';
import { scanSet } from './scan-set';

export interface ChromaExpiryReport {
  users_checked: number;
  /** Collections dropped from users' records because their registration expired. */
  registrations_removed: number;
}

/**
 * A collection registration (`registry:chroma:{uid}:{collection}`) lives 90 s unless heartbeated;
 * the unified record lists it in `registry:unified:{uid}:chroma_collections` (its
 * `services.chroma.collections`), which nothing updates when the registration expires. This drops
 * from that list every collection whose registration is gone, as `unregister_collection_user`
 * would. The company's `chroma_collections` stays, as on unregister: it lists the collections the
 * company used, not who holds them now. Safe on several workers at once; a registration that lands
 * meanwhile is kept.
 */
@Injectable()
export class ChromaRegistrationExpiry {
  constructor(
    private readonly redis: RedisConnections,
    private readonly log: RegistryLog,
  ) {}

  async removeExpired(): Promise<ChromaExpiryReport> {
    const client = this.redis.command;
    const report: ChromaExpiryReport = { users_checked: 0, registrations_removed: 0 };
    for await (const userIds of scanSet(client, REGISTRY_UNIFIED_USERS_KEY)) {
      for (const userId of userIds) {
        report.users_checked += 1;
        report.registrations_removed += await this.removeExpiredOf(client, userId);
      }
    }
    this.log.operation('chroma_registration_expiry', { ...report });
    return report;
  }

  private async removeExpiredOf(client: RedisClient, userId: string): Promise<number> {
    const listKey = buildRegistryUnifiedSetKey(userId, 'chroma_collections');
    const collections = await client.smembers(listKey);
    if (collections.length === 0) return 0;
    const expired = await this.withoutRegistration(client, userId, collections);
    if (expired.length === 0) return 0;
    const removed = await client.srem(listKey, ...expired);
    // A registration writes its key before its list entry: one that landed since the check above
    // has its key now, and its entry may have gone with our SREM. Put those back.
    const stillExpired = new Set(await this.withoutRegistration(client, userId, expired));
    const registeredMeanwhile = expired.filter((collection) => !stillExpired.has(collection));
    if (registeredMeanwhile.length > 0) {
      await client.sadd(listKey, ...registeredMeanwhile);
      await client.expire(listKey, RedisTTL.REGISTRY_UNIFIED);
    }
    return Math.max(0, removed - registeredMeanwhile.length);
  }

  private async withoutRegistration(client: RedisClient, userId: string, collections: string[]): Promise<string[]> {
    const exists = await Promise.all(collections.map((collection) => client.exists(buildRegistryChromaKey(userId, collection))));
    return collections.filter((_collection, index) => exists[index] === 0);
  }
}
