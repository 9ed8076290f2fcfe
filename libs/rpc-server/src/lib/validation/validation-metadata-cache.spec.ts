import { RpcError, RpcMethodMetadata } from '@suite/rpc-contract';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, ValidateNested, validateSync } from 'class-validator';
import { validateParams } from './bind-params';
import { cacheValidationMetadata } from './validation-metadata-cache';

cacheValidationMetadata();

function methodWith(dto: RpcMethodMetadata['dto'], params: string[]): RpcMethodMetadata {
  return { name: 'test', propertyKey: 'test', params, dto };
}

describe('cached validation metadata', () => {
  class Named {
    @IsString()
    name!: string;
  }

  it('validates as class-validator does, call after call', () => {
    for (let i = 0; i < 3; i++) {
      expect(validateSync(Object.assign(new Named(), { name: 'a' }))).toHaveLength(0);
      expect(validateSync(Object.assign(new Named(), { name: 1 }))[0].constraints).toHaveProperty('isString');
    }
  });

  it('sees metadata added to a class after its lookup was cached', () => {
    class Late {
      @IsString()
      name!: string;

      count!: number;
    }
    expect(validateSync(Object.assign(new Late(), { name: 'a', count: 'x' }))).toHaveLength(0);
    IsInt()(Late.prototype, 'count');
    const errors = validateSync(Object.assign(new Late(), { name: 'a', count: 'x' }));
    expect(errors.map((error) => error.property)).toEqual(['count']);
  });
});

describe('validateParams', () => {
  class Paged {
    @IsString()
    user_id!: string;

    @IsOptional()
    @IsInt()
    limit = 100;
  }

  class Point {
    @IsInt()
    x!: number;
  }

  class Shape {
    @ValidateNested()
    @Type(() => Point)
    origin!: Point;
  }

  it('gives a DTO without transformer decorators as a DTO instance, keeping its defaults', () => {
    const params = validateParams('T.paged', methodWith(Paged, ['user_id', 'limit']), { user_id: 'u' });
    expect(params).toBeInstanceOf(Paged);
    expect(params).toEqual(Object.assign(new Paged(), { user_id: 'u', limit: 100 }));
  });

  it('rejects what the DTO forbids: a wrong type, an undeclared property', () => {
    expect(() => validateParams('T.paged', methodWith(Paged, ['user_id', 'limit']), { user_id: 'u', limit: 'many' })).toThrow(RpcError);
    expect(() => validateParams('T.paged', methodWith(Paged, ['user_id', 'limit']), { user_id: 'u', extra: 1 })).toThrow(/extra should not exist/);
  });

  it('runs a DTO with @Type through class-transformer, so nested objects are validated as their class', () => {
    const method = methodWith(Shape, ['origin']);
    const params = validateParams('T.shape', method, { origin: { x: 1 } }) as Shape;
    expect(params.origin).toBeInstanceOf(Point);
    expect(() => validateParams('T.shape', method, { origin: { x: 'left' } })).toThrow(/origin\.x/);
  });
});
