import { ChildProcess, spawn, SpawnOptions } from 'node:child_process';

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Never leave a server behind when the owner process dies.
  process.once('exit', () => {
    for (const child of running) signal(child, 'SIGKILL');
  });
}

/** Processes started with `detached` lead a process group of their own: signal all of it (a server's own children too). */
const ownGroups = new WeakSet<ChildProcess>();

function signal(child: ChildProcess, name: NodeJS.Signals): void {
  if (ownGroups.has(child) && child.pid !== undefined) {
    try {
      process.kill(-child.pid, name);
      return;
    } catch {
      // The group is gone already; fall back to the process itself.
    }
  }
  child.kill(name);
}

export interface ServerProcessOptions {
  /** Start the server detached, in a process group of its own (see startProcess). */
  ownProcessGroup?: boolean;
}

export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Last lines the process wrote, for error messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
  kill(): Promise<void>;
}

/**
 * Starts a process whose output is kept for error messages. With `detached: true` it runs in a
 * session and process group of its own, so a terminal's Ctrl-C (SIGINT to the foreground group)
 * does not reach it: its owner stops it explicitly, when it chooses (the whole group is signalled).
 */
export function startProcess(name: string, command: string, args: string[], options: SpawnOptions = {}): ManagedProcess {
  installExitHook();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  running.add(child);
  if (options.detached) ownGroups.add(child);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  exited.then(() => running.delete(child));
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    tail.push(...chunk.toString().split('\n'));
    if (tail.length > 40) tail.splice(0, tail.length - 40);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const stop = async (graceMs = 5000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    signal(child, 'SIGTERM');
    const timer = setTimeout(() => signal(child, 'SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return {
    name,
    child,
    output: () => tail.join('\n'),
    stop,
    kill: async () => {
      signal(child, 'SIGKILL');
      await exited;
    },
  };
}

/** Polls `probe` (with a sleep between tries) until it returns true, the process exits, or time runs out. */
export async function waitUntilReady(process: ManagedProcess, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (process.child.exitCode !== null) {
      throw new Error(`${process.name} exited with code ${process.child.exitCode}:\n${process.output()}`);
    }
    if (await probe().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await process.kill();
  throw new Error(`${process.name} was not ready within ${timeoutMs} ms:\n${process.output()}`);
}

export async function httpAnswers(url: string, expectBody?: RegExp): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
  if (!response.ok) return false;
  return expectBody ? expectBody.test(await response.text()) : true;
}
