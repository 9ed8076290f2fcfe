import { Redis } from 'ioredis';

/**
 * Redis commands per request during the measured window, from INFO commandstats (all clients).
 * Commands a Lua script runs are counted too: an EVALSHA whose script does INCRBY shows as both.
 */
export interface RedisCommandWindow {
  perRequest: Record<string, number>;
  totalPerRequest: number;
}

type CommandCalls = Record<string, number>;

async function commandCalls(client: Redis): Promise<CommandCalls> {
  const info = await client.info('commandstats');
  const calls: CommandCalls = {};
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (match[1] !== 'info') calls[match[1]] = Number(match[2]);
  }
  return calls;
}

export class RedisCommandMeter {
  private start?: CommandCalls;

  private constructor(private readonly client: Redis) {}

  static async connect(host: string, port: number): Promise<RedisCommandMeter> {
    const client = new Redis({ host, port, lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    return new RedisCommandMeter(client);
  }

  async begin(): Promise<void> {
    this.start = await commandCalls(this.client);
  }

  async end(requests: number): Promise<RedisCommandWindow | undefined> {
    const start = this.start;
    if (!start || requests <= 0) return undefined;
    const end = await commandCalls(this.client);
    const perRequest: Record<string, number> = {};
    let total = 0;
    for (const [command, calls] of Object.entries(end)) {
      const delta = calls - (start[command] ?? 0);
      if (delta <= 0) continue;
      total += delta;
      const rate = Math.round((1000 * delta) / requests) / 1000;
      // Below 0.001 per request: background work (heartbeats…), not the call path.
      if (rate > 0) perRequest[command] = rate;
    }
    return { perRequest, totalPerRequest: Math.round((1000 * total) / requests) / 1000 };
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => undefined);
  }
}
