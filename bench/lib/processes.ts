import { join } from 'node:path';
import { REPO_ROOT } from '../../libs/testing/src/lib/app-process';
import { httpAnswers, ManagedProcess, startProcess, waitUntilReady } from '../../libs/testing/src/lib/stack/managed-process';

/** Runs a TypeScript file of bench/ in its own Node process, compiled on the fly by SWC like the apps. */
export function spawnBenchScript(name: string, relativePath: string, environment: Record<string, string>): ManagedProcess {
  return startProcess(name, process.execPath, ['-r', '@swc-node/register', join(REPO_ROOT, 'bench', relativePath)], {
    cwd: REPO_ROOT,
    env: { ...process.env, SWC_NODE_PROJECT: join(REPO_ROOT, 'tsconfig.base.json'), ...environment },
  });
}

/** Resolves once GET `url` answers 2xx; fails with the process's last output if it exits or times out. */
export function waitForHttp(target: ManagedProcess, url: string, timeoutMs = 60_000): Promise<void> {
  return waitUntilReady(target, () => httpAnswers(url), timeoutMs);
}
