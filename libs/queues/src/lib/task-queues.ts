import { InjectQueue } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { QUEUE_NAMES, QueueName } from '@suite/config';
import { RedisConnections } from '@suite/redis';
import { Queue } from 'bullmq';
import { endConnectionsNow } from './end-connections';

export type QueueCounts = Record<'waiting' | 'active' | 'delayed' | 'completed' | 'failed' | 'paused' | 'prioritized' | 'waiting-children', number>;

/**
 * The producer side of the four BullMQ queues (`default`, `computation`, `llm`, `maintenance`),
 * registered by QueuesModule under the hash-tagged QUEUE_PREFIX so every key of a queue lands in
 * one Redis Cluster slot. @nestjs/bullmq closes them on shutdown.
 */
@Injectable()
export class TaskQueues implements BeforeApplicationShutdown {
  private readonly queues: ReadonlyMap<QueueName, Queue>;

  constructor(
    private readonly redis: RedisConnections,
    @InjectQueue('default') defaultQueue: Queue,
    @InjectQueue('computation') computation: Queue,
    @InjectQueue('llm') llm: Queue,
    @InjectQueue('maintenance') maintenance: Queue,
  ) {
    this.queues = new Map<QueueName, Queue>([
      ['default', defaultQueue],
      ['computation', computation],
      ['llm', llm],
      ['maintenance', maintenance],
    ]);
    // Connection errors are retried by ioredis and surface on calls; an 'error' nobody listens to
    // would end the process.
    for (const queue of this.queues.values()) queue.on('error', () => undefined);
  }

  queue(name: QueueName): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`unknown queue "${name}"`);
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

  /**
   * With Redis unreachable, a queue's close waits for a QUIT that can never be sent: end the
   * connections instead, so the shutdown that follows does not hang (nothing is lost: a queue
   * holds no state of its own).
   */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.redis.command.status === 'ready') return;
    await Promise.all([...this.queues.values()].map((queue) => endConnectionsNow(queue)));
  }
}
