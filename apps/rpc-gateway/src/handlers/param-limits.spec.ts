import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ID_LENGTH } from './param-limits';

/** `[1, 256]` or `Length(1, 256)`: the id bounds written out again instead of naming ID_LENGTH. */
function repeatsIdLength(source: string): boolean {
  const [min, max] = ID_LENGTH;
  const bounds = `${min}\\s*,\\s*${max}`;
  return new RegExp(`\\[\\s*${bounds}\\s*\\]|Length\\(\\s*${bounds}\\s*\\)`).test(source);
}

describe('ID_LENGTH', () => {
  it('recognises the bounds written out, as a tuple or in @Length, and not other bounds', () => {
    expect(repeatsIdLength('const ID = [1, 256] as const;')).toBe(true);
    expect(repeatsIdLength('@IsString() @Length(1, 256) user_id!: string;')).toBe(true);
    expect(repeatsIdLength('@IsString() @Length(...ID_LENGTH) user_id!: string;')).toBe(false);
    expect(repeatsIdLength('@IsString() @Length(1, 64) since_id?: string;')).toBe(false);
  });

  it('is the only place a gateway handler takes the id length bounds from', () => {
    const handlerFiles = readdirSync(__dirname).filter((name) => name.endsWith('.ts') && !name.endsWith('.spec.ts') && name !== 'param-limits.ts');
    expect(handlerFiles.length).toBeGreaterThan(5);
    expect(handlerFiles.filter((name) => repeatsIdLength(readFileSync(join(__dirname, name), 'utf8')))).toEqual([]);
  });
});
