import { resolve } from 'node:path';
import { EXEC_CHECKED_FILE, productSourceFiles, rawExecLines, rawExecSites } from './source-rules';

const WORKSPACE_ROOT = resolve(__dirname, '../..');

describe('source rules: MULTI and pipeline results are read through execChecked', () => {
  it('finds a raw exec() at the end of a MULTI or pipeline chain, on one line or several', () => {
    expect(rawExecLines('await redis.multi().sadd(key, member).expire(key, 60).exec();')).toEqual([1]);
    expect(rawExecLines('const x = 1;\nawait redis.pipeline().get(a).get(b).exec();')).toEqual([2]);
    const multiLine = ['await this.redis.command', '  .multi()', '  .hset(key, { data: JSON.stringify(value) })', '  .expire(key, 60)', '  .exec();'].join('\n');
    expect(rawExecLines(multiLine)).toEqual([2]);
    expect(rawExecLines('await Promise.all([\n  redis.multi().incr(a).exec(),\n  redis.get(b),\n]);')).toEqual([2]);
  });

  it('accepts chains run by execChecked, and leaves other exec methods alone', () => {
    expect(rawExecLines('await execChecked(redis.multi().sadd(key, member).expire(key, 60));')).toEqual([]);
    expect(rawExecLines('await execChecked(\n  redis\n    .multi()\n    .hset(key, { a: 1 }),\n);')).toEqual([]);
    expect(rawExecLines("const match = /(\\d+)/.exec(text);")).toEqual([]);
    expect(rawExecLines("const multi = redis.multi();\nconst id = /^id:(.+)$/.exec(line)?.[1];")).toEqual([]);
    expect(rawExecLines('const results = await multi.exec();')).toEqual([]);
  });

  it('reads the product code of apps and libs, not their tests', () => {
    const files = productSourceFiles(WORKSPACE_ROOT, ['apps', 'libs']);
    expect(files).toContain(EXEC_CHECKED_FILE);
    expect(files).toContain('libs/registry/src/lib/presence-registry.ts');
    expect(files.some((file) => /\.(e2e-)?spec\.ts$/.test(file))).toBe(false);
  });

  it('has no raw exec() on a MULTI or pipeline in apps or libs outside exec-checked.ts', () => {
    expect(rawExecSites(WORKSPACE_ROOT, ['apps', 'libs'])).toEqual([]);
  });
});
