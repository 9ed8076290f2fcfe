// Jest loads global setup outside its module resolver, so the tsconfig path alias is not available here.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startLocalStack, LocalStack } from '../../libs/testing/src/lib/stack/local-stack';

declare global {
  var __SUITE_TEST_STACK__: LocalStack | undefined;
}

/**
 * Starts one local stack (real redis-server, Firestore emulator, Chroma; and a 3-node Redis Cluster
 * for the cluster lane) for a jest run, on free loopback ports, and exports its addresses to the test
 * workers through the environment. Nothing is started in the unit lane (SUITE_TEST_LANE=unit), nor
 * when the caller already started a stack for many runs (`npm test`: SUITE_TEST_STACK=up).
 */
export default async function globalSetup(): Promise<void> {
  if (process.env['SUITE_TEST_STACK'] === 'up' || process.env['SUITE_TEST_LANE'] === 'unit') return;
  const started = Date.now();
  const stack = await startLocalStack({}, 'demo-suite', { redisCluster: process.env['SUITE_TEST_LANE'] === 'cluster' });
  globalThis.__SUITE_TEST_STACK__ = stack;
  Object.assign(process.env, stack.environment, { SUITE_TEST_STACK: 'up' });
  process.stdout.write(
    `\nlocal test stack up in ${Date.now() - started} ms: redis :${stack.redis.port}, firestore ${stack.firestore.hostPort}, chroma :${stack.chroma.port}` +
      `${stack.redisCluster ? `, redis cluster :${stack.redisCluster.port}` : ''}\n`,
  );
}
