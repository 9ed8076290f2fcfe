/** A thrown value as an Error, for a log line's `err` field (pino serializes Errors with their stack). */
export function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}
