import { emptySessionState, SESSION_FIELDS, SessionState, StoredSessionState, ThreadState } from './session-state.types';
import { typedJson } from './typed-json';

/** `thread_states` is stored one hash field per thread, so one thread's activity never rewrites the others. */
export const THREAD_FIELD_PREFIX = 'thread:';

type ScalarField = Exclude<(typeof SESSION_FIELDS)[number], 'thread_states'>;

/**
 * Fields given already in their stored form, the typed JSON text `typedJson.stringify` gives
 * (a cache written with typedJson holds it): stored as is, without a decode and an encode.
 */
export type EncodedSessionFields = Partial<Record<ScalarField, string>>;
const SCALAR_FIELDS = SESSION_FIELDS.filter((field): field is ScalarField => field !== 'thread_states');

/** Hash field → encoded value of the fields `state` names (thread_states: one field per named thread). */
export function encodeSessionFields(state: Partial<SessionState>): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const field of SCALAR_FIELDS) {
    if (state[field] !== undefined) pairs.push([field, typedJson.stringify(state[field])]);
  }
  for (const [thread, threadState] of Object.entries(state.thread_states ?? {})) {
    pairs.push([`${THREAD_FIELD_PREFIX}${thread}`, typedJson.stringify(threadState)]);
  }
  return pairs;
}

/** The defaults written (only where absent) so every stored session has every field. */
export function defaultSessionFields(): Array<[string, string]> {
  const { thread_states: _threads, ...defaults } = emptySessionState();
  return encodeSessionFields(defaults);
}

export function decodeSessionHash(hash: Record<string, string>): StoredSessionState {
  const state = emptySessionState() as unknown as Record<string, unknown>;
  const threads: Record<string, ThreadState> = {};
  for (const [field, raw] of Object.entries(hash)) {
    if (field.startsWith(THREAD_FIELD_PREFIX)) threads[field.slice(THREAD_FIELD_PREFIX.length)] = typedJson.parse<ThreadState>(raw);
    else if ((SCALAR_FIELDS as readonly string[]).includes(field)) state[field] = typedJson.parse(raw);
  }
  return {
    ...(state as unknown as SessionState),
    thread_states: threads,
    user_id: hash['user_id'] ?? '',
    company_id: hash['company_id'] ?? '',
    created_at: new Date(hash['created_at'] ?? 0),
    updated_at: new Date(hash['updated_at'] ?? 0),
  };
}
