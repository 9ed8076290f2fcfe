import { ChatHistoryInputError } from '@suite/chat-history';
import { RpcError } from '@suite/rpc-contract';
import { InvalidSessionKeyError } from '@suite/session-state';
import { toRpcError } from './llm-session-errors';
import { ClientNotFoundError } from './session-data.loader';

describe('toRpcError', () => {
  it('bad input names its parameter as INVALID_ARGS', () => {
    const empty = toRpcError(new ChatHistoryInputError('message', 'must not be empty')) as RpcError;
    expect(empty).toMatchObject({ code: 'INVALID_ARGS', message: 'message must not be empty' });
    expect(toRpcError(new InvalidSessionKeyError('thread_key'))).toMatchObject({ code: 'INVALID_ARGS', message: expect.stringMatching(/^thread_key /) });
  });

  it('a missing profile is NOT_FOUND, Firestore down is UNAVAILABLE with a retry delay', () => {
    expect(toRpcError(new ClientNotFoundError('u1'))).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('clients/u1') });
    expect(toRpcError(Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 }))).toMatchObject({ code: 'UNAVAILABLE', retryAfterMs: 2000 });
  });

  it('leaves other errors to the dispatcher', () => {
    const other = new Error('boom');
    expect(toRpcError(other)).toBe(other);
  });
});
