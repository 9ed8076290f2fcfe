// Jest loads global setup outside its module resolver, so the tsconfig path alias is not available here.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startLocalStack, LocalStack } from '../../libs/testing/src/lib/stack/local-stack';

declare global {
  var __SUITE_TEST_STACK__: LocalStack | undefined;
}

/**
 * Starts one local stack (real redis-server, Firestore emulator, Chroma) for the whole jest run, on
 * free loopback ports, and exports its addresses to the test workers through the environment.
 * Every project's config names this file; only the first call starts anything.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env['SUITE_TEST_STACK'] === 'up') return;
  const started = Date.now();
  const stack = await startLocalStack();
  globalThis.__SUITE_TEST_STACK__ = stack;
  Object.assign(process.env, stack.environment, { SUITE_TEST_STACK: 'up' });
  process.stdout.write(
    `\nlocal test stack up in ${Date.now() - started} ms: redis :${stack.redis.port}, firestore ${stack.firestore.hostPort}, chroma :${stack.chroma.port}\n`,
  );
}
