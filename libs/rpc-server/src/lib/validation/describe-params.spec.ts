import 'reflect-metadata';
import { RpcMethodMetadata } from '@suite/rpc-contract';
import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsInt, IsNumber, IsObject, IsOptional, IsString, ValidateIf, ValidateNested } from 'class-validator';
import { describeParameters } from './describe-params';

class Filter {
  @IsString() field!: string;
}

class EveryKindParams {
  @IsString() name!: string;
  @IsOptional() @IsInt() limit?: number = 20;
  @IsNumber() ratio!: number;
  @IsOptional() @IsBoolean() dry_run?: boolean;
  @IsArray() @IsString({ each: true }) tags!: string[];
  @IsArray() items!: unknown[];
  @IsObject() data!: object;
  @IsIn(['low', 'high']) priority!: string;
  @IsIn([1, 2, 3]) level!: number;
  @ValidateNested() @Type(() => Filter) filter!: Filter;
  @ValidateIf((params: EveryKindParams) => params.dry_run === true) @IsString() reason?: string;
}

const METHOD: RpcMethodMetadata = {
  name: 'run',
  propertyKey: 'run',
  params: ['name', 'limit', 'ratio', 'dry_run', 'tags', 'items', 'data', 'priority', 'level', 'filter', 'reason'],
  dto: EveryKindParams,
};

describe('describeParameters', () => {
  it("gives each parameter, in order, its Python type and whether it is required, from the DTO's validation", () => {
    expect(describeParameters(METHOD)).toEqual([
      { name: 'name', type: 'str', required: true },
      { name: 'limit', type: 'int', required: false, default: 20 },
      { name: 'ratio', type: 'float', required: true },
      { name: 'dry_run', type: 'bool', required: false },
      { name: 'tags', type: 'list[str]', required: true },
      { name: 'items', type: 'list', required: true },
      { name: 'data', type: 'dict', required: true },
      { name: 'priority', type: 'str', required: true, choices: ['low', 'high'] },
      { name: 'level', type: 'int', required: true, choices: [1, 2, 3] },
      { name: 'filter', type: 'dict', required: true },
      { name: 'reason', type: 'str', required: false },
    ]);
  });

  it('describes a method without parameters as none', () => {
    expect(describeParameters({ name: 'ping', propertyKey: 'ping', params: [] })).toEqual([]);
  });
});
