import { randomUUID } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { GloveTable } from './glove-table';

/**
 * A binary copy of the prepared table (rows already centred and normalised), so a process after
 * the first one on a machine reads 137 MB straight into its Float32Array instead of parsing 307 MB
 * of JSON. Layout: 4-byte header length, the JSON header (size, dimension, source stamp, words),
 * padding to 4 bytes, then the float32 rows. Keyed on the source file's size and mtime.
 */
interface CacheHeader {
  version: number;
  source: string;
  size: number;
  dimension: number;
  words: string[];
}

const VERSION = 1;

function stamp(sourcePath: string): string {
  const stats = statSync(sourcePath);
  return `${stats.size}-${Math.round(stats.mtimeMs)}`;
}

function cachePath(directory: string): string {
  return join(directory, `glove-sg-100d-v${VERSION}.bin`);
}

export async function readCachedTable(directory: string, sourcePath: string): Promise<GloveTable | undefined> {
  let file;
  try {
    file = await open(cachePath(directory), 'r');
  } catch {
    return undefined;
  }
  try {
    const lengthBytes = Buffer.alloc(4);
    await file.read(lengthBytes, 0, 4, 0);
    const headerLength = lengthBytes.readUInt32LE(0);
    const headerBytes = Buffer.alloc(headerLength);
    await file.read(headerBytes, 0, headerLength, 4);
    const header = JSON.parse(headerBytes.toString('utf8')) as CacheHeader;
    if (header.version !== VERSION || header.source !== stamp(sourcePath) || header.words.length !== header.size) return undefined;
    const offset = align(4 + headerLength);
    const vectors = new Float32Array(header.size * header.dimension);
    const bytes = Buffer.from(vectors.buffer);
    const { bytesRead } = await file.read(bytes, 0, bytes.length, offset);
    if (bytesRead !== bytes.length) return undefined;
    const rows = new Map<string, number>();
    header.words.forEach((word, row) => rows.set(word, row));
    return { size: header.size, dimension: header.dimension, vectors, rows };
  } catch {
    return undefined;
  } finally {
    await file.close();
  }
}

/** Best effort: written to a temporary name and renamed, so a concurrent reader never sees half a file. */
export function writeCachedTable(directory: string, sourcePath: string, table: GloveTable): boolean {
  const words = new Array<string>(table.size);
  for (const [word, row] of table.rows) words[row] = word;
  const header: CacheHeader = { version: VERSION, source: stamp(sourcePath), size: table.size, dimension: table.dimension, words };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(headerBytes.length, 0);
  const padding = Buffer.alloc(align(4 + headerBytes.length) - 4 - headerBytes.length);
  const temporary = join(directory, `.glove-${randomUUID()}.tmp`);
  try {
    mkdirSync(directory, { recursive: true });
    writeFileSync(temporary, Buffer.concat([length, headerBytes, padding, Buffer.from(table.vectors.buffer, table.vectors.byteOffset, table.vectors.byteLength)]));
    renameSync(temporary, cachePath(directory));
    return true;
  } catch {
    rmSync(temporary, { force: true });
    return false;
  }
}

function align(offset: number): number {
  return Math.ceil(offset / 4) * 4;
}
