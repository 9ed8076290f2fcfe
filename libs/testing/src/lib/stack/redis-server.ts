import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { Socket } from 'node:net';
import { ManagedProcess, ServerProcessOptions, startProcess, waitUntilReady } from './managed-process';

export function requireRedisServerBinary(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('redis-server is not installed. Install it with: apt-get install -y redis-server (scripts/ensure-deps.sh does this).');
  }
}

/** Sends PING over a raw socket; true when the server answers PONG. */
export function redisAnswers(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
    socket.connect(port, host, () => socket.write('PING\r\n'));
  });
}

export interface RedisServer {
  readonly host: string;
  readonly port: number;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

/** A throwaway, non-persistent redis-server on 127.0.0.1:`port`. */
export async function startRedisServer(port: number, extraArgs: string[] = [], options: ServerProcessOptions = {}): Promise<RedisServer> {
  const binary = requireRedisServerBinary();
  const server = startProcess(`redis-server :${port}`, binary, [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--save', '',
    '--appendonly', 'no',
    '--protected-mode', 'no',
    ...extraArgs,
  ], { detached: options.ownProcessGroup });
  await waitUntilReady(server, () => redisAnswers(port), 10_000);
  // Another test's server may hold the port and answer the PING: make sure this one does.
  const { stdout } = await promisify(execFile)('redis-cli', ['-p', String(port), 'info', 'server']);
  const answeringPid = Number(/process_id:(\d+)/.exec(stdout)?.[1]);
  if (answeringPid !== server.child.pid) {
    await server.stop();
    throw new Error(`redis-server :${port}: Address already in use (another server, pid ${answeringPid}, answers there)`);
  }
  return { host: '127.0.0.1', port, process: server, stop: () => server.stop(), kill: () => server.kill() };
}
