/** Error codes of the RPC envelope and the HTTP status each is answered with (SPEC §3). */
export const RPC_ERROR_STATUS = {
  UNAUTHORIZED: 401,
  INVALID_ARGS: 400,
  PAYLOAD_TOO_LARGE: 413,
  METHOD_NOT_FOUND: 404,
  FEATURE_DISABLED: 403,
  IDEMPOTENCY_IN_PROGRESS: 409,
  IDEMPOTENCY_MISMATCH: 422,
  QUOTA_EXCEEDED: 429,
  RATE_LIMITED: 429,
  TIMEOUT: 504,
  UNAVAILABLE: 503,
  NOT_FOUND: 404,
  INTERNAL: 500,
} as const;

export type RpcErrorCode = keyof typeof RPC_ERROR_STATUS;

export const RPC_ERROR_CODES = Object.keys(RPC_ERROR_STATUS) as RpcErrorCode[];
