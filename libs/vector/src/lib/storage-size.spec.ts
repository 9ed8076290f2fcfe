import { recordsSize, totalBytes } from './storage-size';

describe('storage figures (what analyze_collection reports and the quota charges)', () => {
  it('embeddings: count x dimension x 4; documents and metadata: their UTF-8 JSON bytes', () => {
    const figures = recordsSize(100, ['abc', 'été'], [{ a: 1 }, null]);
    expect(figures).toEqual({ embeddings_size: 800, documents_size: '"abc"'.length + Buffer.byteLength('"été"'), metadata_size: '{"a":1}'.length });
    expect(Buffer.byteLength('"été"')).toBe(7); // two 2-byte characters: bytes, not characters
    expect(totalBytes(figures)).toBe(800 + 5 + 7 + 7);
    expect(Number.isInteger(totalBytes(figures))).toBe(true);
  });
});
