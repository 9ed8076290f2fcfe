/** Whether this test run's Redis is a cluster (the cluster lane: LISTENERS_REDIS_CLUSTER=true). */
export const onRedisCluster = (): boolean => process.env['LISTENERS_REDIS_CLUSTER'] === 'true';

/**
 * `describe` and `it` for tests of a single-node property (one script spanning keys of several hash
 * slots, a single-node connection class, a command that starts its own single-node stack): skipped,
 * and counted as skipped, in the cluster lane.
 */
export const singleNodeOnly = {
  describe: (name: string, body: () => void): void => (onRedisCluster() ? describe.skip : describe)(name, body),
  it: (name: string, body: jest.ProvidesCallback, timeoutMs?: number): void => (onRedisCluster() ? it.skip : it)(name, body, timeoutMs),
};
