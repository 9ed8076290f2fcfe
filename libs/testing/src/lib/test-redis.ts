import { Cluster, Redis } from 'ioredis';

export type TestRedis = Redis | Cluster;

/**
 * A plain ioredis client on the test stack's Redis: a single node, or a Redis Cluster when the run
 * is the cluster lane (LISTENERS_REDIS_CLUSTER=true). Tests that read or write keys directly use
 * this instead of `new Redis(...)`, so they run in both lanes.
 */
export function testRedisClient(): TestRedis {
  const host = process.env['LISTENERS_REDIS_HOST'] ?? '127.0.0.1';
  const port = Number(process.env['LISTENERS_REDIS_PORT'] ?? 6379);
  if (process.env['LISTENERS_REDIS_CLUSTER'] === 'true') return new Cluster([{ host, port }]);
  return new Redis({ host, port });
}

/** KEYS and SCAN calls served so far, over every master of the topology (a test of "no keyspace scan" compares two readings). */
export async function keyspaceScans(redis: TestRedis): Promise<number> {
  const nodes = 'nodes' in redis ? redis.nodes('master') : [redis];
  let total = 0;
  for (const node of nodes) {
    const stats = await node.info('commandstats');
    for (const command of ['keys', 'scan']) total += Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
  }
  return total;
}
