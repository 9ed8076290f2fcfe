import type { RedisClient } from './redis-connections';

type ScriptArgument = string | number;
type ScriptCommand = (numberOfKeys: number, ...keysAndArgs: ScriptArgument[]) => Promise<unknown>;

const sourcesByName = new Map<string, string>();

/**
 * A Lua script, run as an ioredis custom command (`defineCommand`), defined on each client the
 * first time it runs there. ioredis sends EVAL the first time on each connection and EVALSHA after,
 * and sends EVAL again when the server answers NOSCRIPT (a restart or failover flushed its cache).
 */
export class RedisScript {
  private readonly commandName: string;
  private readonly definedOn = new WeakSet<RedisClient>();

  constructor(
    readonly name: string,
    readonly source: string,
  ) {
    const known = sourcesByName.get(name);
    if (known !== undefined && known !== source) throw new Error(`two different Lua scripts are named "${name}"`);
    sourcesByName.set(name, source);
    this.commandName = `suiteScript_${name.replace(/\W/g, '_')}`;
  }

  run(client: RedisClient, keys: readonly string[], args: readonly ScriptArgument[]): Promise<unknown> {
    if (!this.definedOn.has(client)) {
      client.defineCommand(this.commandName, { lua: this.source });
      this.definedOn.add(client);
    }
    const command = (client as unknown as Record<string, ScriptCommand>)[this.commandName];
    return command.call(client, keys.length, ...keys, ...args);
  }
}
