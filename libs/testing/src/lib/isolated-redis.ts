import { findFreePort } from './stack/free-port';
import { startRedisCluster } from './stack/redis-cluster';
import { RedisServer, startRedisServer } from './stack/redis-server';
import { onRedisCluster } from './topology';

const ADDRESS_VARIABLES = ['LISTENERS_REDIS_HOST', 'LISTENERS_REDIS_PORT', 'LISTENERS_REDIS_CLUSTER'] as const;

/**
 * Gives the calling test file a Redis of its own, of the lane's topology (a single node, or a
 * 3-node cluster in the cluster lane), for the file's duration: everything the file reads from the
 * environment afterwards (`testConfig`, `testRedisClient`, spawned apps) points at it.
 *
 * For tests of apps that act on every online user (the workflow listener takes all of them up to
 * its cap): on the shared stack Redis, the users other test files mark online would be taken too.
 * Call it at the top level of the file (or first in a `describe` without its own hooks): its
 * `beforeAll` then runs before the file's own hooks, and its `afterAll` after them, once the apps
 * have stopped.
 */
export function useIsolatedRedis(): void {
  let stop: (() => Promise<void>) | undefined;
  const saved = Object.fromEntries(ADDRESS_VARIABLES.map((name) => [name, process.env[name]]));

  beforeAll(async () => {
    if (onRedisCluster()) {
      const cluster = await startRedisCluster();
      Object.assign(process.env, { LISTENERS_REDIS_HOST: cluster.host, LISTENERS_REDIS_PORT: String(cluster.port), LISTENERS_REDIS_CLUSTER: 'true' });
      stop = () => cluster.stop();
    } else {
      const server = await startFreeRedisServer();
      Object.assign(process.env, { LISTENERS_REDIS_HOST: server.host, LISTENERS_REDIS_PORT: String(server.port) });
      stop = () => server.stop();
    }
  }, 60_000);

  afterAll(async () => {
    await stop?.();
    for (const name of ADDRESS_VARIABLES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  }, 60_000);
}

/** A port checked free can still be taken before redis-server binds it: try another. */
async function startFreeRedisServer(): Promise<RedisServer> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startRedisServer(await findFreePort());
    } catch (error) {
      if (attempt >= 3 || !/Address already in use/.test(String(error))) throw error;
    }
  }
}
