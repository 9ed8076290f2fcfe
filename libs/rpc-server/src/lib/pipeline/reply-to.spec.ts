import { RpcError } from '@suite/rpc-contract';
import { replyEnvelope } from './reply-to';
import { answerWithData, answerWithError } from './rpc-answer';

describe('replyEnvelope', () => {
  it("adds the call's trace_id to the answer's envelope, and its idempotency_key when it has one", () => {
    const data = answerWithData(200, { value: [1, { nested: '}' }] });
    expect(JSON.parse(replyEnvelope(data.body, 't-1', undefined))).toEqual({ ok: true, data: { value: [1, { nested: '}' }] }, trace_id: 't-1' });
    const error = answerWithError(new RpcError('NOT_FOUND', 'x "quoted" was not found'));
    expect(JSON.parse(replyEnvelope(error.body, 't-2', 'key "1"'))).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'x "quoted" was not found' },
      trace_id: 't-2',
      idempotency_key: 'key "1"',
    });
  });
});
