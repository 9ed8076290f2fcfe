import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig, QUEUE_NAMES, QueueName } from '@suite/config';
import { RedisConnections } from '@suite/redis';
import { Queue, QueueOptions } from 'bullmq';

export type QueueCounts = Record<'waiting' | 'active' | 'delayed' | 'completed' | 'failed' | 'paused' | 'prioritized' | 'waiting-children', number>;

/**
 * The producer side of the four BullMQ queues (`default`, `computation`, `llm`, `maintenance`),
 * under the hash-tagged QUEUE_PREFIX so every key of a queue lands in one Redis Cluster slot.
 */
@Injectable()
export class TaskQueues implements OnApplicationShutdown {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(
    private readonly redis: RedisConnections,
    private readonly config: AppConfig,
  ) {}

  /** Options shared by queues and workers. */
  options(): QueueOptions {
    return { connection: this.redis.bullmqConnection(), prefix: this.config.QUEUE_PREFIX };
  }

  queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, this.options());
      queue.on('error', () => undefined); // connection errors are retried by ioredis and surface on calls
      this.queues.set(name, queue);
    }
    return queue;
  }

  all(): Queue[] {
    return QUEUE_NAMES.map((name) => this.queue(name));
  }

  async counts(): Promise<Record<QueueName, QueueCounts>> {
    const entries = await Promise.all(
      QUEUE_NAMES.map(async (name) => [name, (await this.queue(name).getJobCounts()) as QueueCounts] as const),
    );
    return Object.fromEntries(entries) as Record<QueueName, QueueCounts>;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close().catch(() => undefined)));
  }
}
