import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCachedTable, writeCachedTable } from './glove-cache';

describe('the binary copy of the prepared GloVe table', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'glove-cache-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back what was written, and ignores a copy made from another source file', async () => {
    const source = join(dir, 'source.json');
    writeFileSync(source, '{}');
    const table = { size: 3, dimension: 2, vectors: new Float32Array([1, 2, 3, 4, 5, 6]), rows: new Map([['a', 0], ['ünï', 1], ['"q"', 2]]) };
    expect(writeCachedTable(dir, source, table)).toBe(true);
    const read = await readCachedTable(dir, source);
    expect(read?.size).toBe(3);
    expect(Array.from(read?.vectors ?? [])).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...(read?.rows ?? [])]).toEqual([['a', 0], ['ünï', 1], ['"q"', 2]]);
    utimesSync(source, new Date(), new Date(Date.now() + 60_000)); // the package was updated
    expect(await readCachedTable(dir, source)).toBeUndefined();
    expect(await readCachedTable(join(dir, 'nothing-here'), source)).toBeUndefined();
  });
});
