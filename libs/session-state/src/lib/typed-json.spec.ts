import { typedJson } from './typed-json';

describe('typedJson', () => {
  it('round-trips dates and sets, nested in objects and arrays', () => {
    const value = {
      at: new Date('2024-12-02T10:30:00.123Z'),
      tags: new Set(['a', 'b']),
      nested: [{ when: new Date(0), ids: new Set([1, 2]) }],
      plain: { n: 1, s: 'x', b: false, nil: null },
    };
    const back = typedJson.parse<typeof value>(typedJson.stringify(value));
    expect(back).toEqual(value);
    expect(back.at).toBeInstanceOf(Date);
    expect(back.tags).toBeInstanceOf(Set);
    expect(back.nested[0].ids).toEqual(new Set([1, 2]));
  });

  it('writes the tagged forms operators can read', () => {
    expect(typedJson.stringify({ d: new Date('2024-01-01T00:00:00Z'), s: new Set(['x']) })).toBe(
      '{"d":{"$date":"2024-01-01T00:00:00.000Z"},"s":{"$set":["x"]}}',
    );
  });

  it('drops undefined fields and keeps objects with other keys as plain objects', () => {
    expect(typedJson.parse(typedJson.stringify({ a: undefined, b: { $date: 'x', other: 1 } }))).toEqual({ b: { $date: 'x', other: 1 } });
  });
});
