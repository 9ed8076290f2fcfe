// Runs in every test worker before its test files. In the cluster lane, every Redis address a test
// or an app it spawns reads from the environment points at the 3-node Redis Cluster instead of the
// single node (LISTENERS_REDIS_CLUSTER=true), so the same tests prove both topologies.
if (process.env.SUITE_TEST_LANE === 'cluster') {
  const host = process.env.SUITE_TEST_CLUSTER_REDIS_HOST;
  const port = process.env.SUITE_TEST_CLUSTER_REDIS_PORT;
  if (!host || !port) throw new Error('the cluster lane needs the Redis Cluster of the test stack (SUITE_TEST_CLUSTER_REDIS_PORT)');
  Object.assign(process.env, { LISTENERS_REDIS_HOST: host, LISTENERS_REDIS_PORT: port, LISTENERS_REDIS_CLUSTER: 'true' });
}
