// Starts one local stack of real servers (Redis, a 3-node Redis Cluster, the Firestore emulator,
// Chroma) on free loopback ports, runs a command with the stack's addresses in its environment, then
// stops the stack and exits with the command's status. `npm test` runs every project's checks and
// tests inside one such stack, so it is started once for the whole run.
// Usage: node -r @swc-node/register tools/test-stack/with-test-stack.ts <command> [args...]
import { spawn } from 'node:child_process';
import { startLocalStack } from '@suite/testing';

async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2);
  if (!command) throw new Error('usage: with-test-stack <command> [args...]');
  const started = Date.now();
  const stack = await startLocalStack({}, 'demo-suite', { redisCluster: true });
  process.stdout.write(
    `local test stack up in ${Date.now() - started} ms: redis :${stack.redis.port}, redis cluster :${stack.redisCluster?.port}, ` +
      `firestore ${stack.firestore.hostPort}, chroma :${stack.chroma.port}\n`,
  );
  const stopStack = () => stack.stop().catch((error: unknown) => process.stderr.write(`stopping the test stack: ${String(error)}\n`));
  try {
    const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, ...stack.environment, SUITE_TEST_STACK: 'up' } });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward).on('SIGTERM', forward);
    return await new Promise<number>((resolve) => {
      child.once('error', () => resolve(127));
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    });
  } finally {
    await stopStack();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
