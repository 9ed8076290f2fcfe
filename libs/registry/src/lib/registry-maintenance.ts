import { Injectable } from '@nestjs/common';
import { RedisConnections } from '@suite/redis';
import {
  buildQuotaActiveTasksKey,
  buildRegistryCompanyKey,
  buildRegistryCompanyPresenceKey,
  buildRegistryCompanyQuotasKey,
  buildRegistryCompanySetKey,
  buildRegistryCompanyUsersKey,
  buildRegistryTaskKey,
  buildRegistryUnifiedKey,
  buildRegistryUnifiedSetKey,
  PRESENCE_WINDOW_SECONDS,
  REGISTRY_COMPANIES_KEY,
  REGISTRY_TASKS_KEY,
  REGISTRY_UNIFIED_USERS_KEY,
} from '@suite/redis-namespaces';
import { PresenceExpiry } from './presence-expiry';
import { RegistryLog } from './registry-log';
import { UNIFIED_USER_SETS } from './registry-records';
import { scanSet } from './scan-set';

/** What `cleanup_expired_entries` removed (the RPC's answer). */
export interface CleanupReport {
  presence_removed: number;
  task_ids_removed: number;
  users_removed: number;
  companies_removed: number;
}

/** What the `registry_cleanup` job removed from the indexes. */
export interface IndexCleanupReport {
  /** Entries older than the presence window in the companies' presence sets. */
  company_presence_removed: number;
  task_ids_removed: number;
  users_removed: number;
  companies_removed: number;
}

/**
 * `cleanup_expired_entries`: turns stale presence offline (PresenceExpiry) and removes from every
 * index what expired behind it (task ids whose record expired, users and companies whose records
 * are gone, stale company presence). Safe to run on several instances at once: every step is
 * idempotent.
 */
@Injectable()
export class RegistryMaintenance {
  constructor(
    private readonly redis: RedisConnections,
    private readonly presence: PresenceExpiry,
    private readonly log: RegistryLog,
  ) {}

  async cleanupExpiredEntries(now = Date.now()): Promise<CleanupReport> {
    const presence = await this.presence.expireStalePresence(now);
    const indexes = await this.removeExpiredIndexEntries(now);
    const report: CleanupReport = {
      presence_removed: presence.users_offline + indexes.company_presence_removed,
      task_ids_removed: indexes.task_ids_removed,
      users_removed: indexes.users_removed,
      companies_removed: indexes.companies_removed,
    };
    this.log.operation('cleanup_expired_entries', { ...report });
    return report;
  }

  /** The index part of the cleanup (the `registry_cleanup` job; presence has a job of its own). */
  async removeExpiredIndexEntries(now = Date.now()): Promise<IndexCleanupReport> {
    const client = this.redis.command;
    const staleBefore = now - PRESENCE_WINDOW_SECONDS * 1000;
    const report: IndexCleanupReport = { company_presence_removed: 0, task_ids_removed: 0, users_removed: 0, companies_removed: 0 };

    const expiredTasks = new Set<string>();
    for await (const taskIds of scanSet(client, REGISTRY_TASKS_KEY)) {
      const exists = await Promise.all(taskIds.map((taskId) => client.exists(buildRegistryTaskKey(taskId))));
      const gone = taskIds.filter((_taskId, index) => exists[index] === 0);
      gone.forEach((taskId) => expiredTasks.add(taskId));
      if (gone.length) report.task_ids_removed += await client.srem(REGISTRY_TASKS_KEY, ...gone);
    }

    for await (const userIds of scanSet(client, REGISTRY_UNIFIED_USERS_KEY)) {
      for (const userId of userIds) {
        if ((await client.exists(buildRegistryUnifiedKey(userId))) === 0) {
          // One key per DEL: these keys are in different cluster slots.
          await Promise.all(UNIFIED_USER_SETS.map((set) => client.del(buildRegistryUnifiedSetKey(userId, set))));
          report.users_removed += await client.srem(REGISTRY_UNIFIED_USERS_KEY, userId);
        } else if (expiredTasks.size) {
          await client.srem(buildRegistryUnifiedSetKey(userId, 'active_tasks'), ...expiredTasks);
          await client.srem(buildRegistryUnifiedSetKey(userId, 'task_history'), ...expiredTasks);
        }
      }
    }

    for await (const companyIds of scanSet(client, REGISTRY_COMPANIES_KEY)) {
      for (const companyId of companyIds) {
        report.company_presence_removed += await client.zremrangebyscore(buildRegistryCompanyPresenceKey(companyId), '-inf', `(${staleBefore}`);
        const users = await client.hkeys(buildRegistryCompanyUsersKey(companyId));
        if (expiredTasks.size) {
          await client.srem(buildRegistryCompanySetKey(companyId, 'active_tasks'), ...expiredTasks);
          for (const userId of users) await client.srem(buildQuotaActiveTasksKey(companyId, userId), ...expiredTasks);
        }
        const [record, quotas] = await Promise.all([client.exists(buildRegistryCompanyKey(companyId)), client.exists(buildRegistryCompanyQuotasKey(companyId))]);
        if (record === 0 && quotas === 0) report.companies_removed += await client.srem(REGISTRY_COMPANIES_KEY, companyId);
      }
    }
    this.log.operation('remove_expired_index_entries', { ...report });
    return report;
  }
}
