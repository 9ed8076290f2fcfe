import { join } from 'node:path';
import { ManagedProcess, ServerProcessOptions, startProcess } from './stack/managed-process';

export const REPO_ROOT = join(__dirname, '../../../..');

/**
 * Runs a TypeScript entry file in its own Node process, compiled on the fly by SWC (as `npm start`
 * does), with the given environment on top of the caller's and optional extra Node flags
 * (`--cpu-prof`, which Node refuses in NODE_OPTIONS); with `ownProcessGroup`, detached in a process
 * group of its own (see startProcess).
 */
export function spawnTsScript(
  name: string,
  script: string,
  environment: Record<string, string>,
  nodeArgs: string[] = [],
  options: ServerProcessOptions = {},
): ManagedProcess {
  return startProcess(name, process.execPath, [...nodeArgs, '-r', '@swc-node/register', script], {
    cwd: REPO_ROOT,
    detached: options.ownProcessGroup,
    env: { ...process.env, SWC_NODE_PROJECT: join(REPO_ROOT, 'tsconfig.base.json'), ...environment },
  });
}

/** Runs an app's real main.ts in its own process, so tests can kill it, SIGTERM it, or run two. */
export function spawnApp(app: string, environment: Record<string, string>, nodeArgs: string[] = []): ManagedProcess {
  return spawnTsScript(app, join(REPO_ROOT, 'apps', app, 'src', 'main.ts'), { LOG_LEVEL: 'info', ...environment }, nodeArgs);
}

/** Resolves with the exit code (or the signal) when the process ends. */
export function exitOf(app: ManagedProcess): Promise<number | NodeJS.Signals> {
  const { child } = app;
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  if (child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal as NodeJS.Signals))));
}
