import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { RedisClient, RedisConnections } from '@suite/redis';

type MessageHandler = (message: string, channel: string) => void;

/**
 * One pub/sub connection per app instance, shared by every subscriber in it: the channel is
 * subscribed while at least one handler wants it. Resubscribes by itself after a reconnect.
 */
@Injectable()
export class ChannelSubscriber implements OnApplicationShutdown {
  private connection?: RedisClient;
  private readonly handlers = new Map<string, Set<MessageHandler>>();
  /** SUBSCRIBE in flight (or done) per channel: a second subscriber waits for the same acknowledgement. */
  private readonly subscribed = new Map<string, Promise<unknown>>();

  constructor(private readonly redis: RedisConnections) {}

  async subscribe(channel: string, handler: MessageHandler): Promise<() => Promise<void>> {
    const connection = this.ensureConnection();
    let handlers = this.handlers.get(channel);
    if (!handlers) {
      handlers = new Set();
      this.handlers.set(channel, handlers);
      this.subscribed.set(channel, connection.subscribe(channel));
    }
    handlers.add(handler);
    try {
      await this.subscribed.get(channel);
    } catch (error) {
      handlers.delete(handler);
      if (handlers.size === 0 && this.handlers.get(channel) === handlers) {
        this.handlers.delete(channel);
        this.subscribed.delete(channel);
      }
      throw error;
    }
    return async () => {
      const current = this.handlers.get(channel);
      if (!current?.delete(handler) || current.size > 0) return;
      this.handlers.delete(channel);
      this.subscribed.delete(channel);
      await connection.unsubscribe(channel).catch(() => undefined);
    };
  }

  get channelCount(): number {
    return this.handlers.size;
  }

  async onApplicationShutdown(): Promise<void> {
    this.handlers.clear();
    this.subscribed.clear();
    this.connection?.disconnect();
  }

  private ensureConnection(): RedisClient {
    if (this.connection) return this.connection;
    const connection = this.redis.createSubscriber('events-subscriber');
    connection.on('message', (channel: string, message: string) => {
      for (const handler of this.handlers.get(channel) ?? []) {
        try {
          handler(message, channel);
        } catch {
          // One bad message or handler must not take the connection (and the process) down.
        }
      }
    });
    this.connection = connection;
    return connection;
  }
}
