import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from '../../libs/testing/src/lib/app-process';

/** An integer bench setting from the environment: the fallback when unset, an error naming it when not an integer >= minimum. */
export function integerSetting(name: string, fallback: number, minimum: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < minimum) throw new Error(`${name} must be an integer >= ${minimum}, got "${raw}"`);
  return value;
}

/** The short commit the bench ran on, for its results file (undefined outside a git checkout). */
export function gitRevision(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}
