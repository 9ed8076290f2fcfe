import { AppConfig } from '@suite/config';
import type { ClusterOptions, RedisOptions } from 'ioredis';

/** Reconnect with capped exponential backoff, forever: a Redis restart must not need an app restart. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(50 * 2 ** Math.min(attempt, 10), 2000);
}

export function redisNodeOptions(config: AppConfig): RedisOptions {
  return {
    host: config.LISTENERS_REDIS_HOST,
    port: config.LISTENERS_REDIS_PORT,
    password: config.LISTENERS_REDIS_PASSWORD,
    db: config.LISTENERS_REDIS_CLUSTER ? 0 : config.LISTENERS_REDIS_DB,
    tls: config.LISTENERS_REDIS_TLS ? {} : undefined,
    connectTimeout: 5000,
    retryStrategy: reconnectDelayMs,
    lazyConnect: true,
  };
}

export function redisClusterOptions(config: AppConfig, nodeOptions: RedisOptions): ClusterOptions {
  return {
    redisOptions: { password: nodeOptions.password, tls: nodeOptions.tls, connectTimeout: nodeOptions.connectTimeout },
    clusterRetryStrategy: reconnectDelayMs,
    lazyConnect: true,
    // ElastiCache with TLS presents certificates for its own host names, not node IPs.
    dnsLookup: config.LISTENERS_REDIS_TLS ? (address, callback) => callback(null, address) : undefined,
  };
}
