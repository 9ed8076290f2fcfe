import { createHash } from 'node:crypto';
import type { RedisClient } from './redis-connections';

type ScriptArgument = string | number;

/**
 * A Lua script run by EVALSHA, falling back to EVAL once when the server does not know it yet
 * (first use, or after a restart or failover flushed the script cache).
 */
export class RedisScript {
  readonly sha: string;

  constructor(
    readonly name: string,
    readonly source: string,
  ) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(client: RedisClient, keys: string[], args: ScriptArgument[]): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
        return client.eval(this.source, keys.length, ...keys, ...args);
      }
      throw error;
    }
  }
}
