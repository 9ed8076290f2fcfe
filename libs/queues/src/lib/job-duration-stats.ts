import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
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

const FLUSH_INTERVAL_MS = 1000;

/**
 * Job durations kept in Redis so every worker instance adds to one histogram per queue, which the
 * gateway exposes in `/metrics` (workers have no HTTP server to be scraped). A worker adds up its
 * jobs in memory and flushes once a second, so the hot path costs no Redis command.
 */
@Injectable()
export class JobDurationStats implements BeforeApplicationShutdown {
  private pending = new Map<string, Map<string, number>>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly redis: RedisConnections) {}

  record(queue: QueueName, outcome: 'completed' | 'failed', seconds: number): void {
    const bound = JOB_DURATION_BUCKETS_S.find((le) => seconds <= le);
    const bucket = bound === undefined ? '+Inf' : String(bound);
    const fields = this.pending.get(queue) ?? new Map<string, number>();
    fields.set(`${outcome}:${bucket}`, (fields.get(`${outcome}:${bucket}`) ?? 0) + 1);
    fields.set(`${outcome}:sum`, (fields.get(`${outcome}:sum`) ?? 0) + seconds);
    this.pending.set(queue, fields);
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_INTERVAL_MS);
  }

  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = new Map();
    await Promise.all(
      [...batch].flatMap(([queue, fields]) =>
        [...fields].map(([field, value]) =>
          field.endsWith(':sum')
            ? this.redis.command.hincrbyfloat(buildJobDurationKey(queue), field, value)
            : this.redis.command.hincrby(buildJobDurationKey(queue), field, value),
        ),
      ),
    ).catch(() => undefined);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
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
