export default async function globalTeardown(): Promise<void> {
  const stack = globalThis.__SUITE_TEST_STACK__;
  globalThis.__SUITE_TEST_STACK__ = undefined;
  if (stack) await stack.stop();
}
