export { SessionStateModule } from './lib/session-state.module';
export { SessionStateStore, InvalidSessionKeyError } from './lib/session-state.store';
export { emptySessionState, SESSION_FIELDS } from './lib/session-state.types';
export type { SessionState, StoredSessionState, SessionStats, ThreadState } from './lib/session-state.types';
export type { EncodedSessionFields } from './lib/session-hash';
export { typedJson } from './lib/typed-json';
export type { TypedValue } from './lib/typed-json';
