import { TraceIdGenerator } from './trace-ids';

const UUID_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('TraceIdGenerator', () => {
  it('makes version-8 UUIDs (RFC 9562 variant), all different', () => {
    const generator = new TraceIdGenerator();
    const ids = Array.from({ length: 50_000 }, () => generator.next());
    for (const id of ids.slice(0, 100)) expect(id).toMatch(UUID_V8);
    expect(ids.at(-1)).toMatch(UUID_V8);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives two instances different ids from their first call', () => {
    const first = new TraceIdGenerator();
    const second = new TraceIdGenerator();
    expect(first.next()).not.toBe(second.next());
  });

  it('keeps the version and variant whatever the random bits', () => {
    for (const fill of [0x00, 0xff, 0x5a]) {
      expect(new TraceIdGenerator(Buffer.alloc(10, fill)).next()).toMatch(UUID_V8);
    }
  });
});
