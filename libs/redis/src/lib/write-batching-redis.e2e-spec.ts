import { singleNodeOnly, testConfig, uniqueId, waitFor } from '@suite/testing';
import { Redis } from 'ioredis';
import { WriteBatchingRedis } from './write-batching-redis';

// WriteBatchingRedis is the single-node command connection (a cluster client routes each command to
// its node itself): the cluster lane has nothing to run here.
singleNodeOnly.describe('WriteBatchingRedis against a real Redis', () => {
  const config = testConfig();
  let client: WriteBatchingRedis;
  let writes: { count: number };

  beforeEach(async () => {
    client = new WriteBatchingRedis({ host: config.LISTENERS_REDIS_HOST, port: config.LISTENERS_REDIS_PORT, maxRetriesPerRequest: 1 });
    await client.ping();
    writes = countSocketWrites(client);
  });

  afterEach(async () => {
    await client.quit();
  });

  it('sends the commands of one event-loop turn in one socket write, and answers each in order', async () => {
    const key = uniqueId('batched');
    const replies = Array.from({ length: 50 }, (_, index) => client.rpush(key, String(index)));
    expect(client.stream.writableCorked).toBe(1);

    await expect(Promise.all(replies)).resolves.toEqual(Array.from({ length: 50 }, (_, index) => index + 1));
    expect(writes.count).toBe(1);
    await expect(client.lrange(key, 0, -1)).resolves.toEqual(Array.from({ length: 50 }, (_, index) => String(index)));
    expect(client.stream.writableCorked).toBe(0);
  });

  it('keeps order with pipelines and transactions issued in the same turn', async () => {
    const key = uniqueId('mixed');
    const first = client.incr(key);
    const transaction = client.multi().incr(key).incr(key).exec();
    const pipeline = client.pipeline().incr(key).get(key).exec();
    const last = client.incr(key);

    await expect(first).resolves.toBe(1);
    await expect(transaction).resolves.toEqual([[null, 2], [null, 3]]);
    await expect(pipeline).resolves.toEqual([[null, 4], [null, '4']]);
    await expect(last).resolves.toBe(5);
  });

  it('batches on the new socket after a reconnect', async () => {
    const control = new Redis({ host: config.LISTENERS_REDIS_HOST, port: config.LISTENERS_REDIS_PORT });
    try {
      const before = client.stream;
      await control.client('KILL', 'ID', String(await client.client('ID')));
      await waitFor(() => client.status === 'ready' && client.stream !== before, 'the client to reconnect', 5000);
      writes = countSocketWrites(client);

      const key = uniqueId('after-reconnect');
      await expect(Promise.all([client.set(key, 'v'), client.get(key)])).resolves.toEqual(['OK', 'v']);
      expect(writes.count).toBe(1);
    } finally {
      control.disconnect();
    }
  });
});

/** Counts the writes that reach the socket's handle: one per flush, however many commands it holds. */
function countSocketWrites(client: Redis): { count: number } {
  const writes = { count: 0 };
  type Flush = (...args: unknown[]) => void;
  const socket = client.stream as typeof client.stream & { _writev: Flush; _write: Flush };
  for (const method of ['_writev', '_write'] as const) {
    const flush = socket[method].bind(socket);
    socket[method] = (...args) => {
      writes.count += 1;
      flush(...args);
    };
  }
  return writes;
}
