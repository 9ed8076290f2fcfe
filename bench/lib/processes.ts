import { join } from 'node:path';
import { REPO_ROOT, spawnTsScript } from '../../libs/testing/src/lib/app-process';
import { httpAnswers, ManagedProcess, waitUntilReady } from '../../libs/testing/src/lib/stack/managed-process';

/** Runs a TypeScript file of bench/ in its own Node process, compiled on the fly by SWC like the apps. */
export function spawnBenchScript(name: string, relativePath: string, environment: Record<string, string>, nodeArgs: string[] = []): ManagedProcess {
  return spawnTsScript(name, join(REPO_ROOT, 'bench', relativePath), environment, nodeArgs);
}

/** Node flags that write a CPU profile into `profileDir` when the process exits (none without a folder). */
export function cpuProfileArgs(profileDir: string | undefined): string[] {
  return profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
}

/** Resolves once GET `url` answers 2xx; fails with the process's last output if it exits or times out. */
export function waitForHttp(target: ManagedProcess, url: string, timeoutMs = 60_000): Promise<void> {
  return waitUntilReady(target, () => httpAnswers(url), timeoutMs);
}
