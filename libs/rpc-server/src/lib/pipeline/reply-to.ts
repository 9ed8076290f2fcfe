/** The Redis channel of a `reply_to: "redis:<channel>"` (parseEnvelope checked its form). */
export function replyChannel(replyTo: string): string {
  return replyTo.slice('redis:'.length);
}

/**
 * The envelope published on a reply_to channel: the answer's `{ok, …}` plus the call's `trace_id`
 * (and its `idempotency_key` when it has one), so calls sharing one channel can be told apart.
 * `body` is the answer's serialized envelope, a JSON object: the fields are spliced in rather
 * than parsing and serializing it again.
 */
export function replyEnvelope(body: string, traceId: string, idempotencyKey: string | undefined): string {
  const key = idempotencyKey === undefined ? '' : `,"idempotency_key":${JSON.stringify(idempotencyKey)}`;
  return `${body.slice(0, -1)},"trace_id":${JSON.stringify(traceId)}${key}}`;
}
