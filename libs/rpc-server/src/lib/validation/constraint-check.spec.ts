import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  Allow,
  IsDefined,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  Validate,
  ValidateIf,
  ValidateNested,
  ValidatorConstraint,
  ValidatorConstraintInterface,
  validateSync,
} from 'class-validator';
import { passesConstraints } from './constraint-check';
import { cacheValidationMetadata } from './validation-metadata-cache';

const OPTIONS = { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true } as const;

class Flat {
  @IsString() @MaxLength(5) name!: unknown;
  @IsOptional() @IsInt() @Min(1) @Max(10) limit: unknown = 3;
  @IsOptional() @IsIn(['a', 'b']) kind?: unknown;
}

class Conditional {
  @IsDefined() id!: unknown;
  @ValidateIf((object: Conditional) => object.id === 'x') @IsString() extra?: unknown;
  @Allow() anything?: unknown;
}

@ValidatorConstraint({ name: 'promised' })
class PromisedFalse implements ValidatorConstraintInterface {
  validate(): Promise<boolean> {
    return Promise.resolve(false);
  }
}

class WithPromise {
  @Validate(PromisedFalse) value?: unknown;
}

class Each {
  @IsString({ each: true }) @MaxLength(2, { each: true }) tags!: unknown;
}

class Nested {
  @ValidateNested() @Type(() => Flat) inner!: unknown;
}

class Undecorated {
  field?: unknown = 1;
}

const VALUES: unknown[] = [undefined, null, '', 'a', 'b', 'x', 'abc', 'abcdefgh', 0, 1, 5, 10, 11, 2.5, NaN, true, [], ['a'], ['a', 1], {}, { name: 'ab' }, new Set(['a']), new Set(['abc']), new Map([[1, 'a']]), new Map([['a', 1]])];
const PROPERTIES: Record<string, string[]> = {
  Flat: ['name', 'limit', 'kind'],
  Conditional: ['id', 'extra', 'anything'],
  WithPromise: ['value'],
  Each: ['tags'],
  Nested: ['inner'],
  Undecorated: ['field'],
};

/** A small deterministic generator, so a failure reproduces. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function instances(dto: new () => object, count: number, next: () => number): object[] {
  return Array.from({ length: count }, () => {
    const bound: Record<string, unknown> = {};
    for (const property of PROPERTIES[dto.name]) if (next() < 0.7) bound[property] = VALUES[Math.floor(next() * VALUES.length)];
    if (next() < 0.05) bound['unexpected'] = 'value';
    return Object.assign(new dto(), bound);
  });
}

describe('passesConstraints decides as class-validator does', () => {
  it.each([Flat, Conditional, Each])('for %p, on every generated instance, valid or not', (dto) => {
    const outcomes = { valid: 0, invalid: 0 };
    for (const instance of instances(dto, 3000, random(dto.name.length + 1))) {
      const valid = validateSync(instance, OPTIONS).length === 0;
      expect([instance, passesConstraints(instance)]).toEqual([instance, valid]);
      outcomes[valid ? 'valid' : 'invalid'] += 1;
    }
    expect(outcomes.valid).toBeGreaterThan(50);
    expect(outcomes.invalid).toBeGreaterThan(100);
  });

  it.each([WithPromise, Nested, Undecorated])('leaves %p, which it does not plan, to class-validator', (dto) => {
    for (const instance of instances(dto, 300, random(7))) expect(passesConstraints(instance)).toBe(false);
  });

  it('follows metadata added after a first check', () => {
    cacheValidationMetadata();
    class Later {
      @IsString() name!: unknown;
    }
    const instance = Object.assign(new Later(), { name: 'abc' });
    expect(passesConstraints(instance)).toBe(true);
    MaxLength(2)(Later.prototype, 'name');
    expect(passesConstraints(instance)).toBe(false);
    expect(validateSync(instance, OPTIONS)).toHaveLength(1);
  });
});
