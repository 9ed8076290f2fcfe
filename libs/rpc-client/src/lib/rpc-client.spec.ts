import { RpcCallError } from './rpc-call-error';
import { RpcClient } from './rpc-client';

describe('RpcClient transport failures', () => {
  const realFetch = globalThis.fetch;
  afterEach(() => (globalThis.fetch = realFetch));

  it.each([
    ['a string', 'socket hang up', 'socket hang up'],
    ['undefined', undefined, 'undefined'],
    ['an Error', new Error('ECONNREFUSED'), 'ECONNREFUSED'],
  ])('a fetch rejecting with %s becomes a TRANSPORT RpcCallError', async (_case, thrown, message) => {
    globalThis.fetch = () => Promise.reject(thrown);
    const client = new RpcClient({ baseUrl: 'http://127.0.0.1:1', token: 'unused-token-0123456789', maxRetries: 0 });
    const failure = await client.call('SYSTEM.ping').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RpcCallError);
    expect(failure).toMatchObject({ code: 'TRANSPORT', message: `TRANSPORT: ${message}` });
  });
});
