import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadGloveTable } from './glove-table';

describe('loadGloveTable (streamed into one Float32Array)', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'glove-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads words and vectors in the package format, dropping the norm and index columns', async () => {
    const file = join(dir, 'small.json');
    const words = ['the', 'say \\"hi\\"', 'élan', 'x'];
    writeFileSync(
      file,
      `{"precision":8,"l2NormIndex":3,"wordIndex":4,"size":4,"dimensions":3,"words":["the","x"],"vectors":{` +
        `"the":[0.5,-1.25,3,9.9,0],"${words[1]}":[1e-2,-2.5E+1,0.125,1,1],"élan":[-0,7,-0.001,2,2],"x":[1,2,3,4,3]},"unkVector":[0,0,0,-1]}`,
    );
    const table = await loadGloveTable(file);
    expect(table.size).toBe(4);
    expect(table.dimension).toBe(3);
    expect(table.vectors).toBeInstanceOf(Float32Array);
    expect(table.vectors.length).toBe(12);
    expect([...table.rows.keys()]).toEqual(['the', 'say "hi"', 'élan', 'x']);
    const row = (word: string) => {
      const index = table.rows.get(word) ?? -1;
      return Array.from(table.vectors.subarray(index * 3, index * 3 + 3));
    };
    expect(row('the')).toEqual([0.5, -1.25, 3]);
    expect(row('say "hi"').map((value) => Math.round(value * 1e6) / 1e6)).toEqual([0.01, -25, 0.125]);
    expect(row('élan').map((value) => Math.round(value * 1e6) / 1e6 + 0)).toEqual([0, 7, -0.001]);
    expect(row('x')).toEqual([1, 2, 3]);
  });

  it('a vectors object cut short is an error, not a silently short table', async () => {
    const file = join(dir, 'cut.json');
    writeFileSync(file, '{"size":2,"dimensions":2,"vectors":{"a":[1,2,0,0],"b":[3');
    await expect(loadGloveTable(file)).rejects.toThrow(/ended before/);
  });
});
