import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { Cluster, Redis, RedisOptions } from 'ioredis';
import { redisClusterOptions, redisNodeOptions } from './redis-options';
import { WriteBatchingRedis } from './write-batching-redis';

/** A command connection to a single node or to a cluster. */
export type RedisClient = Redis | Cluster;

/** What BullMQ is given to connect: options for a single node, a client for a cluster. */
export type BullmqConnection = (RedisOptions & { maxRetriesPerRequest: null }) | Cluster;

export type RedisHealth = 'ok' | 'error';

const HEALTH_TIMEOUT_MS = 1000;

/**
 * The Redis connections of one app instance, all from AppConfig:
 * - `command`: shared for ordinary commands. It does not queue commands while disconnected, so a
 *   call made while Redis is down fails at once (and the caller answers UNAVAILABLE) instead of hanging.
 * - `createSubscriber()`: a dedicated connection per subscriber (pub/sub blocks a connection).
 * - `bullmqConnection()`: what BullMQ connects with (`maxRetriesPerRequest: null`; a cluster client
 *   on Redis Cluster).
 * Every connection reconnects with backoff and is closed on shutdown.
 */
@Injectable()
export class RedisConnections implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  private readonly nodeOptions: RedisOptions;
  private readonly extraClients = new Set<RedisClient>();
  readonly command: RedisClient;

  constructor(private readonly config: AppConfig) {
    this.nodeOptions = redisNodeOptions(config);
    // On a single node, the commands issued in one turn of the event loop go out in one socket write.
    this.command = this.create('command', { enableOfflineQueue: false }, { batchWrites: true });
  }

  /** An app starts only once Redis answers (it exits, and the orchestrator restarts it, if Redis never does). */
  async onModuleInit(): Promise<void> {
    await this.connect();
  }

  get isCluster(): boolean {
    return this.config.LISTENERS_REDIS_CLUSTER;
  }

  /** Connects the command connection; resolves once Redis answers, retrying with backoff until `timeoutMs`. */
  async connect(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    if (this.command.status === 'wait') {
      this.command.connect().catch(() => undefined);
    }
    while (Date.now() < deadline) {
      if ((await this.health()) === 'ok') return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(
      `Redis at ${this.config.LISTENERS_REDIS_HOST}:${this.config.LISTENERS_REDIS_PORT} did not answer within ${timeoutMs} ms`,
    );
  }

  /** A new connection for pub/sub or blocking reads; closed with the others on shutdown. */
  createSubscriber(name = 'subscriber'): RedisClient {
    const client = this.create(name, {});
    this.extraClients.add(client);
    client.once('end', () => this.extraClients.delete(client));
    return client;
  }

  /**
   * The connection BullMQ queues and workers are given: options on a single node (BullMQ opens its
   * own connections), a cluster client on Redis Cluster (BullMQ creates only single-node clients from
   * options, which a queue whose slot lives on another node answers with MOVED). A cluster client is
   * shared by the queues and workers it is given to (workers duplicate it for their blocking reads)
   * and closed with the others on shutdown.
   */
  bullmqConnection(): BullmqConnection {
    if (!this.config.LISTENERS_REDIS_CLUSTER) {
      return { ...this.nodeOptions, lazyConnect: false, maxRetriesPerRequest: null, enableOfflineQueue: true };
    }
    const cluster = new Cluster([{ host: this.config.LISTENERS_REDIS_HOST, port: this.config.LISTENERS_REDIS_PORT }], {
      ...redisClusterOptions(this.config, this.nodeOptions),
      lazyConnect: false,
      enableOfflineQueue: true,
    });
    cluster.options.redisOptions = { ...cluster.options.redisOptions, maxRetriesPerRequest: null };
    cluster.on('error', () => undefined); // BullMQ reports connection errors on its own objects
    this.extraClients.add(cluster);
    cluster.once('end', () => this.extraClients.delete(cluster));
    return cluster;
  }

  async health(): Promise<RedisHealth> {
    if (this.command.status !== 'ready') return 'error';
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error('ping timeout')), HEALTH_TIMEOUT_MS);
      });
      const answer = await Promise.race([this.command.ping(), timeout]);
      return answer === 'PONG' ? 'ok' : 'error';
    } catch {
      return 'error';
    } finally {
      clearTimeout(timer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const clients = [this.command, ...this.extraClients];
    await Promise.all(clients.map((client) => closeQuietly(client)));
  }

  private create(name: string, overrides: RedisOptions, { batchWrites = false } = {}): RedisClient {
    const options: RedisOptions = { ...this.nodeOptions, ...overrides, connectionName: name };
    let client: RedisClient;
    if (this.config.LISTENERS_REDIS_CLUSTER) {
      client = new Cluster([{ host: this.config.LISTENERS_REDIS_HOST, port: this.config.LISTENERS_REDIS_PORT }], {
        ...redisClusterOptions(this.config, options),
        enableOfflineQueue: overrides.enableOfflineQueue ?? true,
      });
    } else {
      client = batchWrites ? new WriteBatchingRedis(options) : new Redis(options);
    }
    let lastError = '';
    client.on('error', (error: Error) => {
      // ioredis emits an error on each failed reconnect; log once per distinct message.
      if (error.message !== lastError) {
        lastError = error.message;
        this.logger.warn({ event: 'redis_error', connection: name, error: error.message });
      }
    });
    client.on('ready', () => {
      if (lastError) this.logger.log({ event: 'redis_reconnected', connection: name });
      lastError = '';
    });
    if (name !== 'command') client.connect().catch(() => undefined);
    return client;
  }
}

async function closeQuietly(client: RedisClient): Promise<void> {
  if (client.status === 'end') return;
  try {
    if (client.status === 'ready') await client.quit();
    else client.disconnect();
  } catch {
    client.disconnect();
  }
}
