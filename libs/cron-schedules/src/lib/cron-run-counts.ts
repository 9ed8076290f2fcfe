import { Injectable } from '@nestjs/common';
import { execChecked, RedisConnections } from '@suite/redis';
import { buildCronRunCountsKey } from '@suite/redis-namespaces';
import { CronKeys } from './cron-keys';

/** What the gateway's /metrics shows of the schedules: runs per outcome (all instances), schedules due, runs in flight. */
export interface CronRunSnapshot {
  runs: Record<string, number>;
  activeSchedules: number;
  runsInFlight: number;
}

/**
 * The fleet's cron run counters in Redis (`metrics:cron_runs:<keyspace>`, one field per outcome):
 * each scheduler instance adds what it counted since its last flush, and the gateway reads the sum
 * at each scrape (the schedulers have no HTTP).
 */
@Injectable()
export class CronRunCounts {
  private readonly key: string;

  constructor(
    private readonly redis: RedisConnections,
    private readonly keys: CronKeys,
  ) {
    this.key = buildCronRunCountsKey(keys.keyspace);
  }

  /** Adds counts (outcome → runs); nothing is sent when they are all zero. */
  async add(counts: ReadonlyMap<string, number>): Promise<void> {
    const increments = [...counts].filter(([, count]) => count > 0);
    if (increments.length === 0) return;
    const pipeline = this.redis.command.pipeline();
    for (const [outcome, count] of increments) pipeline.hincrby(this.key, outcome, count);
    await execChecked(pipeline);
  }

  async snapshot(): Promise<CronRunSnapshot> {
    const [runs, activeSchedules, runsInFlight] = await Promise.all([
      this.redis.command.hgetall(this.key),
      this.redis.command.zcard(this.keys.due),
      this.redis.command.zcard(this.keys.inflight),
    ]);
    return { runs: Object.fromEntries(Object.entries(runs).map(([outcome, count]) => [outcome, Number(count)])), activeSchedules, runsInFlight };
  }
}
