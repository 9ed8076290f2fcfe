/** Realtime Database keys cannot hold . $ # [ ] / or control characters, and are at most 768 bytes. */
const FORBIDDEN = /[.$#[\]/]/;
const hasControlCharacter = (value: string) => [...value].some((character) => character.charCodeAt(0) < 32 || character.charCodeAt(0) === 127);

export class RealtimeInputError extends Error {
  override readonly name = 'RealtimeInputError';
}

export class RealtimeUnavailableError extends Error {
  override readonly name = 'RealtimeUnavailableError';
  constructor(
    message: string,
    readonly retryAfterMs: number,
    /** A write that timed out: firebase-admin keeps it and may still apply it, so retrying could apply it twice. */
    readonly outcomeUnknown = false,
  ) {
    super(message);
  }
}

export function checkKey(parameter: string, value: string): string {
  if (value.length === 0) throw new RealtimeInputError(`${parameter} must not be empty`);
  if (Buffer.byteLength(value) > 768) throw new RealtimeInputError(`${parameter} is longer than 768 bytes`);
  if (FORBIDDEN.test(value) || hasControlCharacter(value)) throw new RealtimeInputError(`${parameter} must not contain . $ # [ ] / or control characters`);
  return value;
}

/** Seed 002's chat layout: `{space_code}/chats/{thread_key}/messages/{message_id}`. */
export function threadMessagesPath(spaceCode: string, threadKey: string): string {
  return `${checkKey('space_code', spaceCode)}/chats/${checkKey('thread_key', threadKey)}/messages`;
}

/** Direct messages to a user: `direct_messages/{user_id}/{message_id}`. */
export function directMessagesPath(userId: string): string {
  return `direct_messages/${checkKey('user_id', userId)}`;
}
