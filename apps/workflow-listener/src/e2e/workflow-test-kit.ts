import { EventEnvelope } from '@suite/events';
import { testRedisClient, TestRedis, waitFor, writeFirestoreDocument } from '@suite/testing';

/** Collects every event published on the user channels of the given prefix (`user:<prefix>*`). */
export class EventCollector {
  readonly events: EventEnvelope[] = [];
  private constructor(private readonly client: TestRedis) {}

  static async start(userPrefix: string): Promise<EventCollector> {
    const client = testRedisClient();
    const collector = new EventCollector(client);
    client.on('pmessage', (_pattern: string, _channel: string, message: string) => collector.events.push(JSON.parse(message) as EventEnvelope));
    await client.psubscribe(`user:${userPrefix}*`);
    return collector;
  }

  of(userId: string, type?: string): EventEnvelope[] {
    return this.events.filter((event) => event.uid === userId && (type === undefined || event.type === type));
  }

  /** Waits until `count` events of the user arrived (more may follow: callers check exact counts after a barrier). */
  async waitFor(userId: string, count: number, what: string, timeoutMs = 15_000): Promise<EventEnvelope[]> {
    await waitFor(() => this.of(userId).length >= count, what, timeoutMs);
    return this.of(userId);
  }

  async stop(): Promise<void> {
    await this.client.quit();
  }
}

export const invoice = (fields: Record<string, unknown>, steps: Record<string, number>, extra: Record<string, unknown> = {}) => ({
  document: { initial_data: fields, file_name: 'scan.pdf' },
  APBookeeper_step_status: steps,
  status: 'running',
  ...extra,
});

export const taskPath = (userId: string, jobId: string) => `clients/${userId}/task_manager/${jobId}`;
export const notificationPath = (userId: string, jobId: string) => `clients/${userId}/notifications/${jobId}`;

export async function writeTask(userId: string, jobId: string, document: Record<string, unknown>): Promise<void> {
  await writeFirestoreDocument(taskPath(userId, jobId), document);
}

/** Marks users online in the registry's presence set (as REGISTRY.register_user does). */
export async function markOnline(redis: TestRedis, ...userIds: string[]): Promise<void> {
  if (userIds.length === 0) return;
  await redis.zadd('registry:presence', ...userIds.flatMap((userId) => [Date.now(), userId]));
}

export async function markOffline(redis: TestRedis, ...userIds: string[]): Promise<void> {
  if (userIds.length > 0) await redis.zrem('registry:presence', ...userIds);
}
