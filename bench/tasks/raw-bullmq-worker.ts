/**
 * The baseline of the tasks bench: a plain BullMQ 5 worker with a no-op processor, nothing else
 * (no Nest, no registry, no events of its own). Run in its own process by the tasks bench, with the
 * same worker settings as apps/task-worker (concurrency, lock duration, stalled check, prefix).
 * Prints "raw-bullmq-worker ready" once its connection answered; SIGTERM closes it.
 */
import { Worker } from 'bullmq';

function setting(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is required`);
  return value;
}

async function main(): Promise<void> {
  const worker = new Worker(setting('RAW_QUEUE'), async () => undefined, {
    connection: { host: setting('REDIS_HOST'), port: Number(setting('REDIS_PORT')), maxRetriesPerRequest: null },
    prefix: setting('RAW_PREFIX'),
    concurrency: Number(setting('RAW_CONCURRENCY')),
    lockDuration: Number(setting('RAW_LOCK_DURATION_MS')),
    stalledInterval: Number(setting('RAW_STALLED_INTERVAL_MS')),
    maxStalledCount: 2,
  });
  worker.on('error', (error) => process.stderr.write(`raw-bullmq-worker error: ${error.message}\n`));
  await worker.waitUntilReady();
  process.stdout.write('raw-bullmq-worker ready\n');
  const stop = () => {
    worker.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
