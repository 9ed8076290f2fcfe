import type { LoggerService } from '@nestjs/common';
import { isNotConnectionError } from 'bullmq';

/** While an error lasts, it is logged again at most this often. */
export const OUTAGE_LOG_REPEAT_MS = 5000;

interface Ongoing {
  key: string;
  since: number;
  lastLoggedAt: number;
  repeats: number;
}

/**
 * The log of one BullMQ client's errors. ioredis reports every failed reconnect (several a second
 * across a worker's connections), so a Redis outage is logged when it starts (`redis_unreachable`),
 * then at most every OUTAGE_LOG_REPEAT_MS while it lasts (`redis_still_unreachable`, with the count
 * of errors not logged), and once when Redis answers again (`redis_reachable`). Other errors are
 * logged as `worker_error`, the same message again at most every OUTAGE_LOG_REPEAT_MS.
 */
export class OutageLog {
  private ongoing?: Ongoing;

  constructor(
    private readonly logger: Pick<LoggerService, 'warn' | 'log'>,
    private readonly fields: Record<string, unknown>,
    private readonly now: () => number = Date.now,
    private readonly repeatMs = OUTAGE_LOG_REPEAT_MS,
  ) {}

  get unreachable(): boolean {
    return this.ongoing?.key === CONNECTION;
  }

  error(error: Error): void {
    const connection = !isNotConnectionError(error);
    const key = connection ? CONNECTION : error.message;
    const now = this.now();
    const ongoing = this.ongoing;
    if (!ongoing || ongoing.key !== key) {
      this.ongoing = { key, since: now, lastLoggedAt: now, repeats: 0 };
      this.logger.warn({ event: connection ? 'redis_unreachable' : 'worker_error', ...this.fields, error: error.message });
      return;
    }
    ongoing.repeats += 1;
    if (now - ongoing.lastLoggedAt < this.repeatMs) return;
    this.logger.warn({
      event: connection ? 'redis_still_unreachable' : 'worker_error',
      ...this.fields,
      error: error.message,
      for_ms: now - ongoing.since,
      not_logged: ongoing.repeats - 1,
    });
    ongoing.lastLoggedAt = now;
    ongoing.repeats = 0;
  }

  /** The connection is ready again. */
  recovered(): void {
    const ongoing = this.ongoing;
    if (!ongoing) return;
    this.ongoing = undefined;
    if (ongoing.key === CONNECTION) this.logger.log({ event: 'redis_reachable', ...this.fields, after_ms: this.now() - ongoing.since });
  }
}

const CONNECTION = 'connection';
