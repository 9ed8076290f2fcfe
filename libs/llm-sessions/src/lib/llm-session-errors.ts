import { ChatHistoryInputError } from '@suite/chat-history';
import { RpcError } from '@suite/rpc-contract';
import { InvalidSessionKeyError } from '@suite/session-state';
import { ClientNotFoundError } from './session-data.loader';

/** gRPC codes Firestore fails with when it is down or overloaded: the caller may retry. */
const FIRESTORE_TRANSIENT_CODES = new Set([4, 8, 10, 14]);
const FIRESTORE_RETRY_AFTER_MS = 2000;

/**
 * The RPC answer for an error of the session libs: bad input names its parameter (INVALID_ARGS),
 * a missing profile is NOT_FOUND, Firestore down is UNAVAILABLE with a retry delay. Anything else
 * is rethrown as is (the dispatcher classifies Redis outages and internal errors).
 */
export function toRpcError(error: unknown): unknown {
  if (error instanceof ChatHistoryInputError || error instanceof InvalidSessionKeyError) {
    return RpcError.invalidArgs(error.message);
  }
  if (error instanceof ClientNotFoundError) return RpcError.notFound(`client ${error.userId} (Firestore clients/${error.userId})`);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'number' && FIRESTORE_TRANSIENT_CODES.has(code)) {
    return new RpcError('UNAVAILABLE', 'Firestore is unavailable, retry later', FIRESTORE_RETRY_AFTER_MS);
  }
  return error;
}

export function noSession(userId: string, companyId: string): RpcError {
  return RpcError.notFound(`LLM session of user_id ${userId} in company_id ${companyId} (call LLM.initialize_session first)`);
}

export function unknownThread(threadKey: string): RpcError {
  return RpcError.invalidArgs(`thread_key "${threadKey}" is not a thread of this user in this company`);
}
