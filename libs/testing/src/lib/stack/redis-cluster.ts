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

/**
 * A port whose cluster bus port (port + 10000) is free too. Both lie below Linux's ephemeral range
 * (32768 and up), where the outgoing connections of other tests would take a port between the
 * check and the bind.
 */
async function clusterPort(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = 20_000 + Math.floor(Math.random() * 2_700);
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
  // A port checked free can still be taken before redis-server binds it: start again on new ports.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startClusterOnce(nodeCount);
    } catch (error) {
      if (attempt >= 3 || !/Address already in use/.test(String(error))) throw error;
    }
  }
}

async function startClusterOnce(nodeCount: number): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'suite-redis-cluster-'));
  const taken = new Set<number>();
  const ports: number[] = [];
  for (let index = 0; index < nodeCount; index += 1) {
    const port = await clusterPort(taken);
    taken.add(port).add(port + 10_000);
    ports.push(port);
  }
  const started = await Promise.allSettled(
    ports.map((port) =>
      startRedisServer(port, ['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--cluster-node-timeout', '5000', '--dir', dir]),
    ),
  );
  const nodes = started.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  const failed = started.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failed) {
    await Promise.all(nodes.map((node) => node.stop()));
    rmSync(dir, { recursive: true, force: true });
    throw failed.reason;
  }
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
