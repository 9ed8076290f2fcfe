import { Injectable } from '@nestjs/common';
import { RedisClient, RedisConnections } from '@suite/redis';
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
  REGISTRY_PRESENCE_KEY,
  REGISTRY_TASKS_KEY,
  REGISTRY_UNIFIED_USERS_KEY,
} from '@suite/redis-namespaces';
import { RegistryLog } from './registry-log';
import { UNIFIED_USER_SETS } from './registry-records';

export interface CleanupReport {
  presence_removed: number;
  task_ids_removed: number;
  users_removed: number;
  companies_removed: number;
}

const BATCH = 200;

async function* scanSet(client: RedisClient, key: string): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, members] = await client.sscan(key, cursor, 'COUNT', BATCH);
    cursor = next;
    if (members.length > 0) yield members;
  } while (cursor !== '0');
}

/**
 * `cleanup_expired_entries`: removes from every index what expired behind it (presence older than
 * the window, task ids whose record expired, users and companies whose records are gone). Safe to
 * run on several instances at once: every step is idempotent.
 */
@Injectable()
export class RegistryMaintenance {
  constructor(
    private readonly redis: RedisConnections,
    private readonly log: RegistryLog,
  ) {}

  async cleanupExpiredEntries(now = Date.now()): Promise<CleanupReport> {
    const client = this.redis.command;
    const staleBefore = now - PRESENCE_WINDOW_SECONDS * 1000;
    const report: CleanupReport = { presence_removed: 0, task_ids_removed: 0, users_removed: 0, companies_removed: 0 };
    report.presence_removed += await client.zremrangebyscore(REGISTRY_PRESENCE_KEY, '-inf', `(${staleBefore}`);

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
        report.presence_removed += await client.zremrangebyscore(buildRegistryCompanyPresenceKey(companyId), '-inf', `(${staleBefore}`);
        const users = await client.hkeys(buildRegistryCompanyUsersKey(companyId));
        if (expiredTasks.size) {
          await client.srem(buildRegistryCompanySetKey(companyId, 'active_tasks'), ...expiredTasks);
          for (const userId of users) await client.srem(buildQuotaActiveTasksKey(companyId, userId), ...expiredTasks);
        }
        const [record, quotas] = await Promise.all([client.exists(buildRegistryCompanyKey(companyId)), client.exists(buildRegistryCompanyQuotasKey(companyId))]);
        if (record === 0 && quotas === 0) report.companies_removed += await client.srem(REGISTRY_COMPANIES_KEY, companyId);
      }
    }
    this.log.operation('cleanup_expired_entries', { ...report });
    return report;
  }
}
