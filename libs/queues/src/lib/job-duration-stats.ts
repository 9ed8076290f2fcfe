import { Injectable } from '@nestjs/common';
import { QUEUE_NAMES, QueueName } from '@suite/config';
import { RedisConnections } from '@suite/redis';
import { buildJobDurationKey } from '@suite/redis-namespaces';

export const JOB_DURATION_BUCKETS_S = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600];

export interface JobDurationHistogram {
  queue: QueueName;
  outcome: 'completed' | 'failed';
  /** Cumulative counts per upper bound, Prometheus style (`+Inf` last). */
  buckets: Array<{ le: string; count: number }>;
  sum: number;
  count: number;
}

/**
 * Job durations kept in Redis so every worker instance adds to one histogram per queue, which the
 * gateway exposes in `/metrics` (workers have no HTTP server to be scraped).
 */
@Injectable()
export class JobDurationStats {
  constructor(private readonly redis: RedisConnections) {}

  async record(queue: QueueName, outcome: 'completed' | 'failed', seconds: number): Promise<void> {
    const bound = JOB_DURATION_BUCKETS_S.find((le) => seconds <= le);
    const bucket = bound === undefined ? '+Inf' : String(bound);
    const key = buildJobDurationKey(queue);
    await this.redis.command
      .multi()
      .hincrby(key, `${outcome}:${bucket}`, 1)
      .hincrbyfloat(key, `${outcome}:sum`, seconds)
      .exec();
  }

  async read(): Promise<JobDurationHistogram[]> {
    const histograms: JobDurationHistogram[] = [];
    for (const queue of QUEUE_NAMES) {
      const fields = await this.redis.command.hgetall(buildJobDurationKey(queue));
      for (const outcome of ['completed', 'failed'] as const) {
        let cumulative = 0;
        const buckets = [...JOB_DURATION_BUCKETS_S.map(String), '+Inf'].map((le) => {
          cumulative += Number(fields[`${outcome}:${le}`] ?? 0);
          return { le, count: cumulative };
        });
        histograms.push({ queue, outcome, buckets, sum: Number(fields[`${outcome}:sum`] ?? 0), count: cumulative });
      }
    }
    return histograms;
  }
}
