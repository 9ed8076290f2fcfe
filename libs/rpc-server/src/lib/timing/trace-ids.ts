import { randomBytes } from 'node:crypto';

const COUNTER_LIMIT = 2 ** 48;

/**
 * Trace ids for calls that arrive without one. UUID-shaped, version 8 (RFC 9562's custom layout):
 * 74 random bits drawn once per generator, then a 48-bit counter. Unique across instances (the
 * random part) and within one (the counter) without drawing randomness per call. Measured on the
 * bench machine (2 cores, Node 20; CPU time per id, median of 7 rounds of 2 million): randomUUID
 * about 0.28 us, this generator about 0.13 us, so it saves about 0.15 us a call. A trace id names
 * a call in logs; it guards nothing, so it need not be unpredictable.
 */
export class TraceIdGenerator {
  private readonly prefix: string;
  private counter = 0;

  constructor(random: Buffer = randomBytes(10)) {
    const hex = random.toString('hex');
    const variant = (0x8 | (random[9] & 0x3)).toString(16);
    this.prefix = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(12, 15)}-${variant}${hex.slice(15, 18)}-`;
  }

  next(): string {
    this.counter = (this.counter + 1) % COUNTER_LIMIT;
    return this.prefix + this.counter.toString(16).padStart(12, '0');
  }
}
