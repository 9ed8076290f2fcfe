import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { portIsFree } from './free-port';
import { RedisServer, startRedisServer } from './redis-server';

const run = promisify(execFile);

export interface RedisCluster {
  readonly host: string;
  /** The port of the first node: enough for a cluster client to discover the others. */
  readonly port: number;
  readonly nodes: readonly RedisServer[];
  stop(): Promise<void>;
}

/** A port whose cluster bus port (port + 10000) is free too. */
async function clusterPort(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    if (taken.has(port) || taken.has(port + 10_000)) continue;
    if ((await portIsFree(port)) && (await portIsFree(port + 10_000))) return port;
  }
  throw new Error('no free port pair for a Redis Cluster node');
}

async function clusterIsReady(port: number): Promise<boolean> {
  const { stdout } = await run('redis-cli', ['-p', String(port), 'cluster', 'info']);
  return /cluster_state:ok/.test(stdout) && /cluster_slots_assigned:16384/.test(stdout);
}

/**
 * A throwaway 3-master Redis Cluster on loopback (no replicas, nothing persisted), as ElastiCache
 * Valkey serverless presents itself to clients: keys of one script must share a hash slot.
 */
export async function startRedisCluster(nodeCount = 3): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'suite-redis-cluster-'));
  const taken = new Set<number>();
  const ports: number[] = [];
  for (let index = 0; index < nodeCount; index += 1) {
    const port = await clusterPort(taken);
    taken.add(port).add(port + 10_000);
    ports.push(port);
  }
  const nodes = await Promise.all(
    ports.map((port) =>
      startRedisServer(port, ['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--cluster-node-timeout', '5000', '--dir', dir]),
    ),
  );
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await run('redis-cli', ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes']);
    const deadline = Date.now() + 20_000;
    while (!(await Promise.all(ports.map((port) => clusterIsReady(port).catch(() => false)))).every(Boolean)) {
      if (Date.now() > deadline) throw new Error(`Redis Cluster on ports ${ports.join(', ')} did not become ready`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { host: '127.0.0.1', port: ports[0], nodes, stop };
}
