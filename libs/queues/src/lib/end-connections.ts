import type { QueueBase } from 'bullmq';

/** The part of an ioredis client used here (BullMQ creates ioredis clients from connection options). */
interface Client {
  readonly status: string;
  disconnect(): void;
  connect(): Promise<unknown>;
}

/** How long to wait for a client that never connected before giving up on it. */
const CLIENT_WAIT_MS = 1000;

/**
 * Ends an ioredis client at once, whatever its state. In `reconnecting`, `disconnect()` alone
 * cancels the next attempt and leaves the client waiting for an `end` that never comes (ioredis 5),
 * so BullMQ's close (QUIT, or waiting for `end`) hangs while Redis is unreachable: one last connect
 * attempt lets it fail, reach `end`, and reject what it had queued.
 */
export function endClientNow(client: Client): void {
  if (client.status === 'end') return;
  client.disconnect();
  if (client.status === 'reconnecting') client.connect().catch(() => undefined);
}

/**
 * Ends a BullMQ queue's or worker's connections without waiting for Redis, so that its pending
 * close() resolves: for when Redis does not answer and nothing is left to write. A worker's
 * blocking connection is not public in BullMQ 5; it is reached here, and only here.
 */
export async function endConnectionsNow(target: QueueBase): Promise<void> {
  const internals = target as unknown as { client: Promise<Client>; blockingConnection?: { client: Promise<Client> } };
  const connections = [internals.client, internals.blockingConnection?.client];
  await Promise.all(
    connections.map(async (pending) => {
      if (!pending) return;
      let timer: NodeJS.Timeout | undefined;
      const client = await Promise.race([pending, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), CLIENT_WAIT_MS)))]).catch(() => undefined);
      clearTimeout(timer);
      if (client) endClientNow(client);
    }),
  );
}
