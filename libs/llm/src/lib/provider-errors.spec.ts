import { loadConfig } from '@suite/config';
import { RpcError } from '@suite/rpc-contract';
import { APIConnectionError, APIError } from 'openai';
import { checkCallerChoices } from './llm-request-rules';
import { retryAfterMs, toRpcError } from './provider-errors';

const context = { model: 'gpt-4o', unavailableRetryMs: 5000, requestTimeoutMs: 60_000, development: false };
const apiError = (status: number, body: object, headers: Record<string, string> = {}) => APIError.generate(status, body, 'provider says: sk-secret', new Headers(headers));

describe('provider errors → RPC errors', () => {
  it('reads Retry-After in seconds, as an HTTP date, and OpenAI retry-after-ms', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '3' }))).toBe(3000);
    expect(retryAfterMs(new Headers({ 'retry-after': '0.5' }))).toBe(500);
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '1234', 'retry-after': '9' }))).toBe(1234);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:10 GMT' }), now)).toBe(10_000);
    expect(retryAfterMs(new Headers({}))).toBeUndefined();
  });

  it('maps each status to its code, with our message only', () => {
    const cases: Array<[APIError, string, number | undefined]> = [
      [apiError(429, { error: { code: 'rate_limit_exceeded' } }, { 'retry-after': '2' }), 'RATE_LIMITED', 2000],
      [apiError(429, { error: { code: 'rate_limit_exceeded' } }), 'RATE_LIMITED', 5000],
      [apiError(429, { error: { code: 'insufficient_quota' } }), 'UNAVAILABLE', undefined],
      [apiError(500, {}), 'UNAVAILABLE', 5000],
      [apiError(503, {}), 'UNAVAILABLE', 5000],
      [apiError(401, { error: { code: 'invalid_api_key' } }), 'UNAVAILABLE', undefined],
      [apiError(404, { error: { code: 'model_not_found', param: 'model' } }), 'UNAVAILABLE', undefined],
      [apiError(400, { error: { code: 'context_length_exceeded' } }), 'INVALID_ARGS', undefined],
      [new APIConnectionError({ message: 'ECONNREFUSED sk-secret' }), 'UNAVAILABLE', 5000],
    ];
    for (const [error, code, retry] of cases) {
      const mapped = toRpcError(error, context);
      expect([mapped.code, mapped.retryAfterMs]).toEqual([code, retry]);
      expect(mapped.message).not.toContain('sk-secret');
      expect(mapped.message).not.toContain('provider says');
    }
    expect(toRpcError(apiError(401, {}), context).message).toContain('OPENAI_API_KEY');
    expect(toRpcError(apiError(404, { error: { code: 'model_not_found' } }), context).message).toContain('"gpt-4o"');
  });
});

describe('caller choices', () => {
  const config = loadConfig({ LLM_ALLOWED_MODELS: 'gpt-4o,gpt-4.1', LLM_MODEL: 'gpt-4o-mini', LLM_MAX_PROMPT_CHARS: '10' });
  const invalid = (run: () => unknown): RpcError => {
    try {
      run();
    } catch (error) {
      if (error instanceof RpcError) return error;
    }
    throw new Error('expected INVALID_ARGS');
  };

  it('takes the default model, an allowed one, and refuses others, naming the parameter', () => {
    expect(checkCallerChoices(config, { prompt: 'hi' })).toEqual({ model: 'gpt-4o-mini', temperature: undefined });
    expect(checkCallerChoices(config, { prompt: 'hi', model: 'gpt-4.1', temperature: 2 })).toEqual({ model: 'gpt-4.1', temperature: 2 });
    const model = invalid(() => checkCallerChoices(config, { prompt: 'hi', model: 'o1-pro' }));
    expect([model.code, model.message]).toEqual(['INVALID_ARGS', expect.stringMatching(/^model "o1-pro".*LLM_ALLOWED_MODELS/)]);
    expect(invalid(() => checkCallerChoices(config, { prompt: 'hi', temperature: 2.1 })).message).toMatch(/^temperature/);
    expect(invalid(() => checkCallerChoices(config, { prompt: 'hi', temperature: -0.1 })).message).toMatch(/^temperature/);
    expect(invalid(() => checkCallerChoices(config, { prompt: '12345678901' })).message).toMatch(/^prompt .*LLM_MAX_PROMPT_CHARS/);
    expect(invalid(() => checkCallerChoices(config, { prompt: '  ' })).message).toMatch(/^prompt/);
  });
});
