import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * A MULTI or a pipeline of ioredis run by calling its exec() directly. exec() resolves even when a
 * command inside failed (the error stands in that command's result slot), so such a call ignores
 * per-command errors: `execChecked` (libs/redis) runs both kinds and throws the first one.
 *
 * The chain is matched from the multi or pipeline call up to an exec call of the same statement
 * (no `;` between), so `RegExp.prototype.exec` and other exec methods are not mistaken for it.
 */
const RAW_EXEC = /\.(?:multi|pipeline)\s*\([^;]*?\.exec\s*\(/g;

/** Unit and e2e tests: they may drive ioredis raw on purpose (e.g. to test the batching client). */
const TEST_FILE = /\.(?:e2e-)?spec\.ts$/;

/** The file that is allowed to call exec() on a MULTI or pipeline. */
export const EXEC_CHECKED_FILE = 'libs/redis/src/lib/exec-checked.ts';

/** Line numbers (1-based) where a MULTI or pipeline chain that ends in a raw exec() starts. */
export function rawExecLines(source: string): number[] {
  return [...source.matchAll(RAW_EXEC)].map((match) => source.slice(0, match.index).split('\n').length);
}

/** The workspace's product source files under `folders` (tests excluded), relative to `root`. */
export function productSourceFiles(root: string, folders: readonly string[]): string[] {
  const files: string[] = [];
  const visit = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') visit(path);
      } else if (entry.name.endsWith('.ts') && !TEST_FILE.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        files.push(relative(root, path));
      }
    }
  };
  for (const folder of folders) visit(join(root, folder));
  return files.sort();
}

/** `file:line` of every raw exec() on a MULTI or pipeline in the product code of `folders`. */
export function rawExecSites(root: string, folders: readonly string[]): string[] {
  return productSourceFiles(root, folders)
    .filter((file) => file !== EXEC_CHECKED_FILE)
    .flatMap((file) => rawExecLines(readFileSync(join(root, file), 'utf8')).map((line) => `${file}:${line}`));
}
