import 'reflect-metadata';
import { RpcError, RpcMethodMetadata } from '@suite/rpc-contract';
import { ArrayMaxSize, IsArray, IsInt, IsObject, IsOptional, IsString, Length, Min } from 'class-validator';
import { validateParams } from './bind-params';

class SessionParams {
  @IsString() @Length(1, 256) session_id!: string;
  @IsArray() @ArrayMaxSize(3) @IsString({ each: true }) @Length(1, 8, { each: true }) companies!: string[];
  @IsOptional() @IsInt() @Min(1) limit?: number;
  @IsOptional() @IsObject() extra?: object;
}

const METHOD: RpcMethodMetadata = { name: 'open', propertyKey: 'open', params: ['session_id', 'companies', 'limit', 'extra'], dto: SessionParams };

function messageFor(bound: Record<string, unknown>): string {
  try {
    validateParams('NS.open', METHOD, bound);
  } catch (error) {
    if (error instanceof RpcError) return error.message;
    throw error;
  }
  throw new Error('expected INVALID_ARGS');
}

describe('INVALID_ARGS messages, worded for a Python caller', () => {
  it('names one missing argument, or several, without their constraint clauses', () => {
    expect(messageFor({ companies: ['a'] })).toBe("NS.open: missing required argument 'session_id'");
    expect(messageFor({})).toBe("NS.open: missing required arguments 'session_id', 'companies'");
  });

  it('puts the missing arguments first, then what is wrong with the others', () => {
    expect(messageFor({ companies: ['a'], limit: 0 })).toBe("NS.open: missing required argument 'session_id'; limit must not be less than 1");
  });

  it('tells a value of the wrong type its type only: a list, a dict, an integer', () => {
    expect(messageFor({ session_id: 's', companies: 'abcdefghijk' })).toBe('NS.open: companies must be a list');
    expect(messageFor({ session_id: 's', companies: ['a'], extra: 'x' })).toBe('NS.open: extra must be a dict');
    expect(messageFor({ session_id: 's', companies: ['a'], limit: '2' })).toBe('NS.open: limit must be an integer number');
    expect(messageFor({ session_id: 5, companies: ['a'] })).toBe('NS.open: session_id must be a string');
  });

  it('keeps the clauses of a value of the right type', () => {
    expect(messageFor({ session_id: '', companies: ['a', 'b', 'c', 'd'] })).toBe(
      'NS.open: session_id must be longer than or equal to 1 characters; companies must contain no more than 3 elements',
    );
    expect(messageFor({ session_id: 's', companies: [''] })).toBe('NS.open: each value in companies must be longer than or equal to 1 and shorter than or equal to 8 characters');
  });
});
