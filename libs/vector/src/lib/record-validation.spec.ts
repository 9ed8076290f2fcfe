import { checkIds, checkMetadatas, checkWhere, checkWhereDocument, collectionNameProblem } from './record-validation';
import { VectorError } from './vector-errors';

const refusal = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    if (error instanceof VectorError && error.code === 'INVALID_ARGS') return error.message;
    throw error;
  }
  throw new Error('accepted');
};

describe('collection names (Chroma 1.0 rules)', () => {
  it.each(['abc', 'klk_space_id_002e0b', 'a.b-c_d', 'x'.repeat(512), '1abc9'])('accepts %s', (name) => {
    expect(collectionNameProblem(name)).toBeUndefined();
  });
  it.each(['ab', 'x'.repeat(513), '_abc', 'abc-', 'a..b', '192.168.1.1', 'has space', 'ünï'])('refuses %s', (name) => {
    expect(collectionNameProblem(name)).toBeDefined();
  });
});

describe('ids and metadatas', () => {
  it('ids: one per document, non-empty strings, no duplicates', () => {
    expect(() => checkIds(['a', 'b'], 2)).not.toThrow();
    expect(refusal(() => checkIds(['a'], 2))).toMatch(/^ids: has 1 items for 2 documents/);
    expect(refusal(() => checkIds(['a', 'a'], 2))).toMatch(/^ids: "a" appears more than once/);
    expect(refusal(() => checkIds(['a', ''], 2))).toMatch(/^ids: item 1/);
  });

  it('metadatas: flat scalars; {} and null mean none', () => {
    expect(checkMetadatas([{ a: 1, b: 'x', c: true }, {}, null], 3)).toEqual([{ a: 1, b: 'x', c: true }, null, null]);
    expect(refusal(() => checkMetadatas([{ a: { b: 1 } }], 1))).toMatch(/^metadatas: item 0: "a"/);
    expect(refusal(() => checkMetadatas([{ a: [1] }], 1))).toMatch(/^metadatas/);
    expect(refusal(() => checkMetadatas([{ a: Number.NaN }], 1))).toMatch(/^metadatas/);
    expect(refusal(() => checkMetadatas([{ $a: 1 }], 1))).toMatch(/reserved/);
    expect(refusal(() => checkMetadatas([{}], 2))).toMatch(/^metadatas: has 1 items for 2 documents/);
  });
});

describe('where and where_document', () => {
  it.each([{ a: 1 }, { a: { $gte: 2 } }, { a: { $in: ['x', 'y'] } }, { $and: [{ a: 1 }, { $or: [{ b: 'x' }, { c: { $ne: true } }] }] }])('accepts %j', (where) => {
    expect(() => checkWhere(where)).not.toThrow();
  });

  it('names the faulty path', () => {
    expect(refusal(() => checkWhere({}))).toMatch(/^where: must not be empty/);
    expect(refusal(() => checkWhere({ a: { $between: 1 } }))).toMatch(/^where\.a: unknown operator \$between/);
    expect(refusal(() => checkWhere({ a: { $gt: 'x' } }))).toMatch(/^where\.a\.\$gt: must be a number/);
    expect(refusal(() => checkWhere({ $and: [{ a: 1 }] }))).toMatch(/^where\.\$and: must be a list of at least two/);
    expect(refusal(() => checkWhere({ $or: [{ a: 1 }, { b: { $in: [] } }] }))).toMatch(/^where\.\$or\[1\]\.b\.\$in/);
    expect(refusal(() => checkWhere({ $not: [{ a: 1 }] }))).toMatch(/^where: unknown operator \$not/);
    expect(refusal(() => checkWhere({ a: 1, $and: [{ b: 1 }, { c: 1 }] }))).toMatch(/only key/);
    expect(refusal(() => checkWhere([1]))).toMatch(/^where: must be an object/);
  });

  it('where_document', () => {
    expect(() => checkWhereDocument({ $contains: 'x' })).not.toThrow();
    expect(() => checkWhereDocument({ $or: [{ $contains: 'x' }, { $not_contains: 'y' }] })).not.toThrow();
    expect(refusal(() => checkWhereDocument({ $like: 'x' }))).toMatch(/^where_document: unknown operator/);
    expect(refusal(() => checkWhereDocument({ $contains: '' }))).toMatch(/^where_document\.\$contains/);
  });
});
