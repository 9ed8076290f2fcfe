/**
 * True for errors that mean "Redis is unreachable right now" (as opposed to a bad command), so a
 * caller can answer UNAVAILABLE with a retry hint instead of INTERNAL.
 */
export function isRedisUnavailableError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'MaxRetriesPerRequestError' || error.name === 'ClusterAllFailedError') return true;
  return /Stream isn't writeable|Connection is closed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|LOADING|CLUSTERDOWN|TRYAGAIN|READONLY|Failed to refresh slots cache|None of startup nodes is available/.test(
    error.message,
  );
}
