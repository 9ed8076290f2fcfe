import { Injectable } from '@nestjs/common';
import { RedisConnections } from '@suite/redis';
import { buildContextKey, buildJobsKey, RedisTTL } from '@suite/redis-namespaces';
import { typedJson } from '@suite/session-state';
import type { EncodedJobs } from './encoded-jobs';
import type { CachedContext } from './session-data.types';

/**
 * The seed's caches of a session's Firestore data: `context:{uid}:{cid}` (1 h) and
 * `jobs:{uid}:{cid}:{department}` (30 min), typed JSON (dates round-trip). Each key is written
 * and read on its own, so this runs on any topology.
 */
@Injectable()
export class SessionCache {
  constructor(private readonly redis: RedisConnections) {}

  async readContext(userId: string, companyId: string): Promise<CachedContext | null> {
    const raw = await this.redis.command.get(buildContextKey(userId, companyId));
    return raw === null ? null : typedJson.parse<CachedContext>(raw);
  }

  /**
   * Every department's jobs as stored (typed JSON text, not decoded), or null when any of them is
   * missing (then all are reloaded together).
   */
  async readJobs(userId: string, companyId: string, departments: string[]): Promise<EncodedJobs | null> {
    const raws = await Promise.all(departments.map((department) => this.redis.command.get(buildJobsKey(userId, companyId, department))));
    if (raws.some((raw) => raw === null)) return null;
    return Object.fromEntries(departments.map((department, index) => [department, raws[index] as string]));
  }

  /** A freshly loaded context, for 1 h. */
  async writeContext(userId: string, companyId: string, context: CachedContext): Promise<void> {
    await this.redis.command.set(buildContextKey(userId, companyId), typedJson.stringify(context), 'EX', RedisTTL.CONTEXT);
  }

  /** The context with a new list of departments, keeping its TTL (the profile itself was not reloaded). */
  async updateContextDepartments(userId: string, companyId: string, context: CachedContext): Promise<void> {
    await this.redis.command.set(buildContextKey(userId, companyId), typedJson.stringify(context), 'KEEPTTL');
  }

  /** Freshly loaded jobs (encoded with `encodeJobs`), 30 min per department. */
  async writeJobs(userId: string, companyId: string, jobs: EncodedJobs): Promise<void> {
    await Promise.all(
      Object.entries(jobs).map(([department, text]) => this.redis.command.set(buildJobsKey(userId, companyId, department), text, 'EX', RedisTTL.JOBS)),
    );
  }

  async drop(userId: string, companyId: string, departments: string[]): Promise<void> {
    await Promise.all([
      this.redis.command.del(buildContextKey(userId, companyId)),
      ...departments.map((department) => this.redis.command.del(buildJobsKey(userId, companyId, department))),
    ]);
  }
}
