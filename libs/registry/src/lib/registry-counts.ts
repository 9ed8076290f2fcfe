import { Injectable } from '@nestjs/common';
import { RedisConnections } from '@suite/redis';
import {
  buildRegistryCompanySetKey,
  PRESENCE_WINDOW_SECONDS,
  REGISTRY_COMPANIES_KEY,
  REGISTRY_PRESENCE_KEY,
  REGISTRY_UNIFIED_USERS_KEY,
} from '@suite/redis-namespaces';
import { scanSet } from './scan-set';

export interface RegistryCounts {
  /** Users with a heartbeat within the presence window. */
  online_users: number;
  /** Users in the unified registry's index (their record may have expired since the last cleanup). */
  unified_users: number;
  /** Companies in the registry's index (likewise). */
  companies: number;
  /** Tasks registered and not ended: the sum of the companies' `active_tasks` sets. */
  active_tasks: number;
}

/** Counts of the registry for the health summary, read from its indexes (no KEYS, one SCARD per company). */
@Injectable()
export class RegistryCountsReader {
  constructor(private readonly redis: RedisConnections) {}

  async read(now = Date.now()): Promise<RegistryCounts> {
    const client = this.redis.command;
    const [online_users, unified_users, companies, active_tasks] = await Promise.all([
      client.zcount(REGISTRY_PRESENCE_KEY, now - PRESENCE_WINDOW_SECONDS * 1000, '+inf'),
      client.scard(REGISTRY_UNIFIED_USERS_KEY),
      client.scard(REGISTRY_COMPANIES_KEY),
      this.activeTasks(),
    ]);
    return { online_users, unified_users, companies, active_tasks };
  }

  private async activeTasks(): Promise<number> {
    let total = 0;
    for await (const companyIds of scanSet(this.redis.command, REGISTRY_COMPANIES_KEY)) {
      const sizes = await Promise.all(companyIds.map((companyId) => this.redis.command.scard(buildRegistryCompanySetKey(companyId, 'active_tasks'))));
      total += sizes.reduce((sum, size) => sum + size, 0);
    }
    return total;
  }
}
