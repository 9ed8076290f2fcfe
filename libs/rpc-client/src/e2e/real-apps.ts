import { findFreePort, ManagedProcess, spawnApp, TEST_SERVICE_TOKEN, waitFor } from '@suite/testing';
import { spawn } from 'node:child_process';

export interface RealApps {
  /** The gateway's base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  gateway: ManagedProcess;
  worker?: ManagedProcess;
  stop(): Promise<void>;
}

async function healthy(url: string, gateway: ManagedProcess): Promise<boolean> {
  if (gateway.child.exitCode !== null) throw new Error(`the gateway exited with code ${gateway.child.exitCode}:\n${gateway.output()}`);
  try {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
    return response.status === 200;
  } catch {
    return false;
  }
}

/**
 * The real gateway (and, with `worker`, a real task-worker) as processes on the test stack, with
 * the test service token: what a client outside the repository talks to.
 */
export async function startRealApps(options: { worker?: boolean; environment?: Record<string, string> } = {}): Promise<RealApps> {
  const port = await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  const environment = { LISTENERS_SERVICE_TOKEN: TEST_SERVICE_TOKEN, ...options.environment };
  const gateway = spawnApp('rpc-gateway', { ...environment, PORT: String(port) });
  const worker = options.worker ? spawnApp('task-worker', environment) : undefined;
  const stop = async () => {
    await Promise.all([gateway.stop(), worker?.stop()]);
  };
  try {
    await waitFor(() => healthy(url, gateway), `the gateway to answer GET ${url}/healthz`, 60_000, 100);
  } catch (error) {
    await stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${gateway.output()}`);
  }
  return { url, gateway, worker, stop };
}

/** Runs a command to its end; resolves with its exit code and its stdout and stderr interleaved. */
export function runCommand(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}
