import { STREAM_ID_PATTERN } from '@suite/events';
import { RpcError } from '@suite/rpc-contract';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/** How long a client refused because Redis is down should wait before trying again. */
const RETRY_AFTER_MS = 1000;

export interface StreamRequest {
  userId: string;
  since: string | undefined;
}

/**
 * Reads `user_id` and `since` of an upgrade request, or says why it is refused, in the words a
 * caller needs to fix it.
 */
export function parseStreamRequest(url: URL): StreamRequest | RpcError {
  const userId = url.searchParams.get('user_id');
  if (!userId) return RpcError.invalidArgs('user_id is required: /ws/events?user_id=<uid>');
  if (userId.length > 256) return RpcError.invalidArgs('user_id must be at most 256 characters');
  const since = url.searchParams.get('since') ?? undefined;
  if (since !== undefined && !STREAM_ID_PATTERN.test(since)) {
    return RpcError.invalidArgs('since must be an event id such as 1700000000000-0 (the id of the last event received)');
  }
  return { userId, since };
}

export const refusals = {
  notFound: (path: string) => new RpcError('NOT_FOUND', `no WebSocket at ${path}; events are at /ws/events`),
  unauthorized: (tokenGiven: boolean) =>
    new RpcError('UNAUTHORIZED', tokenGiven ? 'the service token is not valid' : 'a service token is required: Authorization: Bearer <token>, or ?token=<token>'),
  unavailable: () => new RpcError('UNAVAILABLE', 'the event stream is unavailable (Redis does not answer); retry later', RETRY_AFTER_MS),
};

/** Refuses an upgrade with an HTTP answer whose body is the RPC error envelope `{ok: false, error}`. */
export function refuseUpgrade(socket: Duplex, error: RpcError): void {
  const body = JSON.stringify({ ok: false, error: error.toBody() });
  const retryAfter = error.retryAfterMs === undefined ? '' : `Retry-After: ${Math.ceil(error.retryAfterMs / 1000)}\r\n`;
  socket.end(
    `HTTP/1.1 ${error.httpStatus} ${STATUS_CODES[error.httpStatus] ?? 'Error'}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `${retryAfter}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
