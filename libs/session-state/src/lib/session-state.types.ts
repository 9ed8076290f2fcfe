import type { TypedValue } from './typed-json';

/** One thread's entry in `thread_states`. */
export interface ThreadState {
  last_activity: Date;
  [key: string]: TypedValue;
}

/** Seed 003's session fields, stored one hash field each in `session:{uid}:{cid}:state`. */
export interface SessionState {
  user_context: Record<string, TypedValue>;
  jobs_data: Record<string, TypedValue>;
  jobs_metrics: Record<string, TypedValue>;
  is_on_chat_page: boolean;
  current_active_thread: string | null;
  thread_states: Record<string, ThreadState>;
  active_tasks: Set<string>;
  intermediation_mode: boolean;
}

/** A session as loaded: its fields plus who it belongs to and when it was created and last written. */
export interface StoredSessionState extends SessionState {
  user_id: string;
  company_id: string;
  created_at: Date;
  updated_at: Date;
}

export interface SessionStats {
  total_sessions: number;
  total_users: number;
  sessions_on_chat_page: number;
  ttl_seconds: number;
}

export const SESSION_FIELDS = [
  'user_context',
  'jobs_data',
  'jobs_metrics',
  'is_on_chat_page',
  'current_active_thread',
  'thread_states',
  'active_tasks',
  'intermediation_mode',
] as const satisfies ReadonlyArray<keyof SessionState>;

export function emptySessionState(): SessionState {
  return {
    user_context: {},
    jobs_data: {},
    jobs_metrics: {},
    is_on_chat_page: false,
    current_active_thread: null,
    thread_states: {},
    active_tasks: new Set(),
    intermediation_mode: false,
  };
}
