import { RedisClient } from '@suite/redis';

const BATCH = 200;

/** The members of a set, a batch at a time (SSCAN: no single command walks a large set). */
export async function* scanSet(client: RedisClient, key: string): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, members] = await client.sscan(key, cursor, 'COUNT', BATCH);
    cursor = next;
    if (members.length > 0) yield members;
  } while (cursor !== '0');
}
