import { Injectable } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { HealthSummary } from '@suite/job-contracts';
import { listLiveInstances } from '@suite/liveness';
import { TaskQueues } from '@suite/queues';
import { RedisConnections } from '@suite/redis';
import { MAINTENANCE_HEALTH_SUMMARY_KEY } from '@suite/redis-namespaces';
import { RegistryCountsReader } from '@suite/registry';

/** A summary outlives this many intervals, so `/debug` shows none once the job stops running. */
const KEPT_FOR_INTERVALS = 3;

/**
 * The `health_summary` maintenance job: registry counts, job counts per queue and live instances
 * per app, measured from Redis and kept under MAINTENANCE_HEALTH_SUMMARY_KEY for `/debug`.
 */
@Injectable()
export class HealthSummaryJob {
  constructor(
    private readonly config: AppConfig,
    private readonly redis: RedisConnections,
    private readonly registry: RegistryCountsReader,
    private readonly queues: TaskQueues,
  ) {}

  async measureAndStore(): Promise<HealthSummary> {
    const now = Date.now();
    const [counts, queues, instances] = await Promise.all([this.registry.read(now), this.queues.counts(), listLiveInstances(this.redis, this.config)]);
    const liveInstances: Record<string, number> = {};
    for (const instance of instances) liveInstances[instance.app] = (liveInstances[instance.app] ?? 0) + 1;
    const summary: HealthSummary = { measured_at: new Date(now).toISOString(), ...counts, queues, live_instances: liveInstances };
    const keptSeconds = Math.ceil((KEPT_FOR_INTERVALS * this.config.MAINTENANCE_HEALTH_INTERVAL_MS) / 1000);
    await this.redis.command.set(MAINTENANCE_HEALTH_SUMMARY_KEY, JSON.stringify(summary), 'EX', keptSeconds);
    return summary;
  }
}
